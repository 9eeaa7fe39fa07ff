// The one table of diagnostic messages. Codes are stable: never renumber, only add.
// Ranges: ARCH1xxx lexing/parsing, ARCH2xxx names and binding, ARCH3xxx shapes and layers,
// ARCH4xxx sparsify/train settings and units, ARCH5xxx sizes and limits, ARCH6xxx compaction/diff, ARCH9xxx I/O.

import type { Severity } from './diagnostic.ts';

export interface MessageDef {
  code: string;
  severity: Severity;
  text: string;
}

export const MESSAGES = {
  // --- ARCH1xxx: lexing and parsing ---------------------------------------------------------
  unexpectedCharacter: { code: 'ARCH1001', severity: 'error', text: "unexpected character '{0}'" },
  unterminatedString: { code: 'ARCH1002', severity: 'error', text: 'unterminated string literal' },
  syntaxError: { code: 'ARCH1003', severity: 'error', text: '{0}' },
  // --- ARCH2xxx: names and binding ----------------------------------------------------------
  // --- ARCH3xxx: layers and shapes ----------------------------------------------------------
  // --- ARCH4xxx: sparsify / train settings ---------------------------------------------------
  // --- ARCH5xxx: sizes and limits -------------------------------------------------------------
  // --- ARCH6xxx: compaction and diff ----------------------------------------------------------
  // --- ARCH9xxx: files and I/O ----------------------------------------------------------------
  fileNotFound: { code: 'ARCH9001', severity: 'error', text: "cannot read file '{0}': {1}" },
} as const satisfies Record<string, MessageDef>;

export type MessageKey = keyof typeof MESSAGES;
