// The .arch grammar as a pure Chevrotain CstParser: no embedded actions, rules are class fields (a misspelt
// subrule fails to compile), recovery on, and ONE shared instance. grammar/arch.ebnf is the normative text
// of the same grammar; test/grammar keeps the two in step. Turning CSTs into the AST is src/syntax's job.

import { CstParser, EOF, tokenMatcher, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import './node20-compat.ts';
import * as T from './tokens.ts';

/** Tokens that can start an expression (used by the named-argument gate). */
const VALUE_STARTS: readonly TokenType[] = [T.NumberLiteral, T.StringLiteral, T.True, T.False, T.Identifier, T.LBracket];

function describe(tok: IToken): string {
  if (tok.tokenType === EOF) return 'end of file';
  return `'${tok.image}'`;
}
function label(tt: TokenType): string {
  return tt === EOF ? 'end of file' : (tt.LABEL ?? tt.name);
}
function firstTokens(paths: TokenType[][]): string {
  const names = [...new Set(paths.map((p) => (p[0] ? label(p[0]) : 'end of input')))];
  if (names.length <= 1) return names[0] ?? 'something else';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Terse, human messages ("expected ')' but found '{'"). src/syntax adds context it can see in the token
 * stream (e.g. "after arguments of 'conv'") before they become ARCH1003 diagnostics.
 */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, previous, ruleName }) => {
    // Closing a list after an item, a ',' would have done as well: say so (the usual slip is a missing comma).
    const listRule = (ruleName === 'argList' || ruleName === 'block') && expected === T.RParen ? true : ruleName === 'list' && expected === T.RBracket;
    const afterItem = previous.tokenType !== T.Comma && previous.tokenType !== T.LParen && previous.tokenType !== T.LBracket;
    const what = listRule && afterItem ? `',' or ${label(expected)}` : label(expected);
    return `expected ${what} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describe(firstRedundant)} after the network`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, customUserDescription }) =>
    `expected ${customUserDescription ?? firstTokens(expectedPathsPerAlt.flat())} but found ${describe(actual[0]!)}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, customUserDescription }) =>
    `expected ${customUserDescription ?? firstTokens(expectedIterationPaths)} but found ${describe(actual[0]!)}`,
};

/**
 * Syntax errors recorded before the parser gives up on a text: recovery records about one per token of garbage,
 * and each error holds its rule stack, so a large garbled file would otherwise exhaust memory.
 */
export const MAX_SYNTAX_ERRORS = 100;

/** Thrown out of a parse that reached MAX_SYNTAX_ERRORS; `archParser.errors` holds the ones recorded. */
export class TooManySyntaxErrors extends Error {}

export class ArchParser extends CstParser {
  /**
   * `validate`: run Chevrotain's grammar validations (ambiguities, left recursion, …) in `performSelfAnalysis`.
   * They cost ~20 ms on every start and can only fail when the grammar changes, so the shared instance skips them
   * and test/grammar/validation.test.ts builds a validating one.
   */
  constructor(opts: { validate?: boolean } = {}) {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages, skipValidations: opts.validate !== true });
    this.performSelfAnalysis();
    // Chevrotain records every recognition error through SAVE_ERROR (not in its typings); an error that is not a
    // recognition exception is not recovered from, so throwing one ends the parse.
    const self = this as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException };
    const save = self.SAVE_ERROR.bind(this);
    self.SAVE_ERROR = (e) => {
      if (this.errors.length >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors(`more than ${MAX_SYNTAX_ERRORS} syntax errors`);
      return save(e);
    };
  }

  /** file := network */
  file = this.RULE('file', () => {
    this.SUBRULE(this.network);
  });

  /** network := 'network' ID '{' item* '}' */
  network = this.RULE('network', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.item));
    this.CONSUME(T.RCurly);
  });

  /**
   * item := inputDecl | widthsSection | section | block | layers
   * `widths` is an Identifier too (a soft keyword), so `widths {` also fits `section`: the widths
   * alternative comes first and wins, and its ambiguity with `section` is declared, not an accident.
   * Two tokens decide: with more, a bad first entry (`widths { .a 3 }`) would match no alternative and
   * be reported on `widths` itself instead of inside the section.
   */
  item = this.RULE('item', () => {
    this.OR({
      MAX_LOOKAHEAD: 2,
      DEF: [
        { ALT: () => this.SUBRULE(this.inputDecl) },
        { ALT: () => this.SUBRULE(this.widthsSection), IGNORE_AMBIGUITIES: true },
        { ALT: () => this.SUBRULE(this.section) },
        { ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.layers) },
      ],
    });
  });

  /** inputDecl := 'input' call   (not named `input`: that is the parser's token-vector setter) */
  inputDecl = this.RULE('inputDecl', () => {
    this.CONSUME(T.Input);
    this.SUBRULE(this.call);
  });

  /** section := ID '{' setting* '}'   — `sparsify { … }`, `train { … }` (the name is checked later) */
  section = this.RULE('section', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.setting));
    this.CONSUME(T.RCurly);
  });

  /**
   * widthsSection := 'widths' '{' widthEntry* '}'   — per-instance width overrides (written by compaction
   * where instances of one block or repeat learned different widths; checked in src/semantic/widths.ts)
   */
  widthsSection = this.RULE('widthsSection', () => {
    this.CONSUME(T.Widths);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.widthEntry));
    this.CONSUME(T.RCurly);
  });

  /** widthEntry := ID ('.' ID)* NUMBER   — `stage1.basic2.conv1 12`: an expanded layer path and its width */
  widthEntry = this.RULE('widthEntry', () => {
    this.CONSUME(T.Identifier, { LABEL: 'segment' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier, { LABEL: 'segment' });
    });
    this.CONSUME(T.NumberLiteral, { LABEL: 'width' });
  });

  /**
   * setting := ID ID? expr   — `lambda 0.01`, and with a qualifier word `target macs 40%`. The qualifier is taken
   * only when a number follows it: a setting key is an ID, so `key word NUMBER` was never valid before, and
   * `mode paper  gradient ste` keeps its meaning.
   */
  setting = this.RULE('setting', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), T.Identifier) && tokenMatcher(this.LA(2), T.NumberLiteral),
      DEF: () => this.CONSUME2(T.Identifier, { LABEL: 'qualifier' }),
    });
    this.SUBRULE(this.expr);
  });

  /** block := 'block' ID '(' (param (',' param)* ','?)? ')' '{' stmt* '}' */
  block = this.RULE('block', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.param);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.LCurly);
    this.MANY2(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RCurly);
  });

  /** param := ID ('=' expr)? */
  param = this.RULE('param', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  /** layers := 'layers' '{' stmt* '}' */
  layers = this.RULE('layers', () => {
    this.CONSUME(T.Layers);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RCurly);
  });

  /**
   * stmt := labelled | section | repeat | layerStmt
   * Order matters: `ID ':'` and `ID '{'` are tried before the bare `ID` that starts a layer call.
   */
  stmt = this.RULE('stmt', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.labelled) },
      { ALT: () => this.SUBRULE(this.section) },
      { ALT: () => this.SUBRULE(this.repeat) },
      { ALT: () => this.SUBRULE(this.layerStmt) },
    ]);
  });

  /** labelled := ID ':' (repeat | group | layerStmt) */
  labelled = this.RULE('labelled', () => {
    this.CONSUME(T.Identifier, { LABEL: 'label' });
    this.CONSUME(T.Colon);
    this.OR([
      { ALT: () => this.SUBRULE(this.repeat) },
      { ALT: () => this.SUBRULE(this.group) },
      { ALT: () => this.SUBRULE(this.layerStmt) },
    ]);
  });

  /** group := '{' stmt* '}' */
  group = this.RULE('group', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RCurly);
  });

  /** layerStmt := maskable? call */
  layerStmt = this.RULE('layerStmt', () => {
    this.OPTION(() => this.SUBRULE(this.maskable));
    this.SUBRULE(this.call);
  });

  /** maskable := 'maskable' ('(' args? ')')? */
  maskable = this.RULE('maskable', () => {
    this.CONSUME(T.Maskable);
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  /** repeat := 'repeat' expr call */
  repeat = this.RULE('repeat', () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.call);
  });

  /** call := ID argList? */
  call = this.RULE('call', () => {
    this.CONSUME(T.Identifier, { LABEL: 'callee' });
    this.OPTION(() => this.SUBRULE(this.argList));
  });

  /** argList := '(' (arg (',' arg)* ','?)? ')'   — a trailing comma is allowed */
  argList = this.RULE('argList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.arg);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  /**
   * arg := (ID &valueStart)? expr
   * The name is taken only when the identifier is followed by the start of a value: `kernel 3`,
   * `stride stride`, `at [80, 120]`. `crop(4)` is a positional call and `width - 1` a positional
   * difference; `offset -1` (space before the minus, none after) is a named negative value, and
   * `kernel (k + 1)` (space before the paren) a named parenthesised value.
   */
  arg = this.RULE('arg', () => {
    this.OPTION({
      GATE: () => this.namedArgAhead(),
      DEF: () => this.CONSUME(T.Identifier, { LABEL: 'name' }),
    });
    this.SUBRULE(this.expr);
  });

  /** expr := term (('+' | '-') term)* */
  expr = this.RULE('expr', () => {
    this.SUBRULE(this.term);
    this.MANY({
      GATE: () => !this.unaryMinusAhead(1),
      DEF: () => {
        this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) }]);
        this.SUBRULE2(this.term);
      },
    });
  });

  /** term := unary (('*' | '/') unary)* */
  term = this.RULE('term', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Slash, { LABEL: 'op' }) }]);
      this.SUBRULE2(this.unary);
    });
  });

  /** unary := '-' unary | primary */
  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  /** primary := NUMBER | STRING | 'true' | 'false' | call | list | '(' expr ')' */
  primary = this.RULE('primary', () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.SUBRULE(this.call) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.parenExpr) },
      ],
      ERR_MSG: 'a value',
    });
  });

  /** list := '[' (expr (',' expr)* ','?)? ']' */
  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expr);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  /** parenExpr := '(' expr ')' */
  parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RParen);
  });

  /** The named-argument gate: ID followed by a value start, or by a minus that reads as unary. */
  private namedArgAhead(): boolean {
    // tokenMatcher, not ===: the soft keyword `widths` is an Identifier by category and may name an argument.
    if (!tokenMatcher(this.LA(1), T.Identifier)) return false;
    const next = this.LA(2).tokenType;
    if (VALUE_STARTS.some((t) => t === next || next.CATEGORIES?.includes(t))) return true;
    // `kernel (k + 1)`: a parenthesised value needs a space; `crop(4)` (touching) is a call.
    if (next === T.LParen) return this.LA(2).startOffset > T.tokenEnd(this.LA(1));
    return this.unaryMinusAhead(2);
  }

  /**
   * A `-` at LA(k) is unary when it is separated from the token before it by whitespace but touches the
   * token after it (`offset -1`); otherwise it is binary (`a - 1`, `a-1`). The printer always writes
   * binary minus with spaces and unary minus without, so printed text never depends on this guess.
   */
  private unaryMinusAhead(k: number): boolean {
    const minus = this.LA(k);
    if (minus.tokenType !== T.Minus) return false;
    const before = this.LA(k - 1);
    const after = this.LA(k + 1);
    if (after.tokenType === EOF) return false;
    const spaceBefore = minus.startOffset > T.tokenEnd(before);
    const touchesAfter = after.startOffset === minus.startOffset + 1;
    return spaceBefore && touchesAfter;
  }
}

/** The one shared parser instance (Chevrotain parsers are built once and reset per input). */
export const archParser = new ArchParser({ validate: false });
