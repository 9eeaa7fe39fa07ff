// The one error type every data loader throws. A training run cannot recover from bad data, so loaders throw
// instead of collecting diagnostics; the CLI catches DataError and prints its message. Every message names the
// file (or directory) at fault, says what is wrong, and where possible what to do about it.

export class DataError extends Error {
  /** The file or directory at fault; null only when no file is involved (e.g. a bad option). */
  readonly file: string | null;
  readonly problem: string;
  readonly hint: string | null;

  constructor(file: string | null, problem: string, hint?: string) {
    const head = file === null ? problem : `${file}: ${problem}`;
    super(hint ? `${head}. ${hint}` : head);
    this.name = 'DataError';
    this.file = file;
    this.problem = problem;
    this.hint = hint ?? null;
  }
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}
