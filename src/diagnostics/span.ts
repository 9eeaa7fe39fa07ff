// Source positions. A Span is a half-open character range [start, end) in one source text.
// Line/column are derived on demand from a SourceText so that every stage can carry cheap offsets.

export interface Span {
  start: number;
  end: number;
}

export const NO_SPAN: Span = { start: 0, end: 0 };

/** A named source text with an offset → (line, column) index. Lines and columns are 1-based. */
export class SourceText {
  private readonly lineStarts: number[];

  constructor(
    readonly fileName: string,
    readonly text: string,
  ) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    this.lineStarts = starts;
  }

  /** 1-based line and column of a character offset (clamped into the text). */
  position(offset: number): { line: number; col: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - this.lineStarts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}
