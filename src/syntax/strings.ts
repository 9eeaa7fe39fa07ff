// String literal escapes, in one place for both directions: the visitor decodes, the printer encodes.
// Escapes are `\"`, `\\` and `\n`; anything else is reported (ARCH1005) and kept as the escaped character.

import type { Span } from '../diagnostics/index.ts';

/** Decode a string token's image (with its quotes; the closing one may be missing when unterminated). */
export function decodeString(image: string, offset: number, onBadEscape: (escape: string, span: Span) => void): string {
  const end = image.length > 1 && image.endsWith('"') && !isEscaped(image, image.length - 1) ? image.length - 1 : image.length;
  let out = '';
  for (let i = 1; i < end; i++) {
    const c = image[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = image[i + 1];
    i++;
    if (next === 'n') out += '\n';
    else if (next === '"' || next === '\\') out += next;
    else if (next !== undefined) {
      // A lone trailing backslash only happens in an unterminated string, which is already reported.
      onBadEscape(`\\${next}`, { start: offset + i - 1, end: offset + i + 1 });
      out += next;
    }
  }
  return out;
}

function isEscaped(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

/** Encode a value as a string literal that decodes back to it (values never hold `\r`: the lexer refuses it). */
export function encodeString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
