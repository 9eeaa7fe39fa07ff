// The window on the outside world of the CLI and the training stage: both write through an Io so tests can run them in-process.

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars, colour). */
  isTTY: boolean;
  cwd: string;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
};

/** A user-facing failure: printed as `archc: <message>` with exit code 1 (or `exitCode`), never with a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
