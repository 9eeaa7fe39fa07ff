// The CLI's window on the outside world (Io) and its user-facing error are the training stage's (src/train/io.ts),
// which writes through the same Io; re-exported so every command imports them from here.
export { processIo, UserError, type Io } from '../train/io.ts';
