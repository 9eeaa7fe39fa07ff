// Progress display: a redrawn bar with ETA on a TTY, plain periodic lines otherwise (logs and CI stay readable).

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export class Progress {
  private readonly start = Date.now();
  private lastDraw = 0;
  constructor(
    private readonly total: number,
    private readonly isTTY: boolean,
    /** Raw writer for the TTY bar (no newline added); without one, a TTY gets plain lines too. */
    private readonly write: ((s: string) => void) | undefined,
    private readonly log: (line: string) => void,
    private readonly every: number,
  ) {}

  update(step: number, text: string): void {
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = step > 0 ? (elapsed / step) * (this.total - step) : NaN;
    if (this.isTTY && this.write) {
      const now = Date.now();
      if (now - this.lastDraw < 200 && step < this.total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round((width * step) / Math.max(1, this.total));
      const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
      this.write(`\r[${bar}] ${step}/${this.total} ${text} ETA ${formatDuration(eta)}\x1b[K`);
      return;
    }
    if (step % this.every === 0 || step === this.total) {
      this.log(`step ${step}/${this.total} ${text} elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}`);
    }
  }

  /** Ends the bar's line so following log lines start clean. */
  done(): void {
    if (this.isTTY && this.write) this.write('\n');
  }
}
