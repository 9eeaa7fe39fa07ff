// The shared parser skips Chevrotain's grammar validations to start faster (grammar/parser.ts); this builds one that
// runs them, so a grammar change that makes a rule ambiguous or left-recursive fails here.
import { describe, expect, it } from 'vitest';
import { ArchParser } from '../../grammar/parser.ts';

describe('grammar validation', () => {
  it("passes Chevrotain's self-analysis with every validation on", () => {
    expect(() => new ArchParser({ validate: true })).not.toThrow();
  });
});
