// Step two of code generation: the plain data from gather.ts → ts-morph structures (imports, interface, consts,
// the network class, main) added in one batch to an in-memory source file, written in the layout of the TS
// formatter with fixed settings (a test checks that formatting the output changes nothing).
// String fragments appear only as single statements and expressions (initializers, forward lines).

import {
  IndentationText,
  NewLineKind,
  Project,
  QuoteKind,
  StructureKind,
  ts,
  type FormatCodeSettings,
  type ClassDeclarationStructure,
  type CodeBlockWriter,
  type FunctionDeclarationStructure,
  type ImportDeclarationStructure,
  type InterfaceDeclarationStructure,
  type StatementStructures,
  type TypeAliasDeclarationStructure,
  type WriterFunction,
} from 'ts-morph';
import type { ModuleData } from './gather.ts';
import { LAYERS_FIELD } from './identifiers.ts';
import { dataLiteral, stringLiteral } from './literals.ts';

/** The package specifiers generated modules import (package self-reference, see package.json "exports"). */
export const RUNTIME_SPECIFIER = 'archc/runtime';
export const TRAINER_SPECIFIER = 'archc/trainer';

/** Fixed formatter settings: the output must not depend on the machine or the ts-morph defaults. */
const FORMAT: FormatCodeSettings = {
  indentSize: 2,
  tabSize: 2,
  convertTabsToSpaces: true,
  newLineCharacter: '\n',
  insertSpaceAfterCommaDelimiter: true,
  insertSpaceAfterSemicolonInForStatements: true,
  insertSpaceBeforeAndAfterBinaryOperators: true,
  insertSpaceAfterKeywordsInControlFlowStatements: true,
  insertSpaceAfterFunctionKeywordForAnonymousFunctions: true,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBrackets: false,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyParenthesis: false,
  insertSpaceAfterOpeningAndBeforeClosingTemplateStringBraces: false,
  placeOpenBraceOnNewLineForFunctions: false,
  placeOpenBraceOnNewLineForControlBlocks: false,
  semicolons: ts.SemicolonPreference.Insert,
};

let sharedProject: Project | undefined;
/** One in-memory project reused across builds (creating one costs more than a small build). */
function project(): Project {
  sharedProject ??= new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    manipulationSettings: {
      quoteKind: QuoteKind.Single,
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      useTrailingCommas: true,
    },
  });
  return sharedProject;
}

/**
 * Writes lines (each a comment, a single statement or one line of a literal) with the nesting of brackets we open
 * at a line end and close at a line start, so the result is already in the formatter's layout (see
 * `formatModuleText`, which tests use to check that it is a fixed point).
 */
function writeNested(w: CodeBlockWriter, ls: readonly string[], trailingNewline: boolean): void {
  let depth = 0;
  ls.forEach((l, i) => {
    if (l === '') {
      w.blankLineIfLastNot();
      return;
    }
    if (/^[)\]}]/.test(l)) depth = Math.max(0, depth - 1);
    w.write(`${'  '.repeat(depth)}${l}`);
    if (/[([{]$/.test(l)) depth++;
    if (trailingNewline || i < ls.length - 1) w.newLine();
  });
}

/** Statements: one per line, nested as written. */
function lines(ls: readonly string[]): WriterFunction {
  return (w) => writeNested(w, ls, true);
}

function lineStatements(ls: readonly string[]): WriterFunction[] {
  return ls.map((l) => (w) => w.writeLine(l));
}

/**
 * `export const name: type = <literal>;` for a multi-line data literal, written as one statement on the file's
 * writer. (A declaration structure's initializer is rendered separately and re-indented as a hanging indent,
 * which would shift every line of a literal; a statement writer keeps the literal's own nesting.)
 */
function dataConst(doc: string, name: string, type: string | undefined, literal: readonly string[]): WriterFunction {
  return (w) => {
    w.writeLine(`/** ${doc} */`);
    const [first, ...rest] = literal;
    writeNested(w, [`export const ${name}${type ? `: ${type}` : ''} = ${first}`, ...rest.slice(0, -1), `${rest.at(-1) ?? ''};`], true);
  };
}

type Statement = StatementStructures | WriterFunction;

function imports(d: ModuleData): ImportDeclarationStructure[] {
  return [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: '@tensorflow/tfjs',
      isTypeOnly: true,
      namedImports: [{ name: 'Tensor' }],
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: RUNTIME_SPECIFIER,
      namedImports: [
        ...d.runtimeValues.map((name) => ({ name })),
        ...d.runtimeTypes.map((name) => ({ name, isTypeOnly: true })),
      ],
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: TRAINER_SPECIFIER,
      namedImports: [
        { name: 'runIfMain' },
        { name: 'runTrainerMain' },
        { name: 'IrNetwork', isTypeOnly: true },
        { name: 'MaskGroupInfo', isTypeOnly: true },
        { name: 'TrainerIo', isTypeOnly: true },
      ],
    },
  ];
}

function configInterface(d: ModuleData): [InterfaceDeclarationStructure, WriterFunction] {
  return [
    {
      kind: StructureKind.Interface,
      name: d.configName,
      isExported: true,
      docs: [`Hyperparameters of ${d.specPathComment}; every field can be overridden on the command line.`],
      properties: d.config.map((f) => ({ name: f.name, type: f.type, docs: [f.doc] })),
    },
    dataConst(`The spec's values: what a run uses unless a flag overrides them.`, 'defaultConfig', d.configName, [
      '{',
      ...d.config.map((f) => `${f.name}: ${f.value},`),
      '}',
    ]),
  ];
}

function pathsAndGroups(d: ModuleData): [WriterFunction, TypeAliasDeclarationStructure, WriterFunction, TypeAliasDeclarationStructure] {
  return [
    dataConst('Every layer path of the network, in topological order.', 'layerPaths', undefined, [
      '[',
      ...d.layerPaths.map((p) => `${stringLiteral(p)},`),
      '] as const',
    ]),
    {
      kind: StructureKind.TypeAlias,
      name: d.layerPathType,
      isExported: true,
      docs: ['A layer path of this network (the names weights, masks and the pruned spec use).'],
      type: '(typeof layerPaths)[number]',
    },
    dataConst('Mask groups: channels/units that share one mask, with their ids (the `ctx.mask` key), widths and members.', 'groups', undefined, [
      '{',
      ...d.groups.map(
        (g) =>
          `${stringLiteral(g.name)}: ${dataLiteral({ id: g.id, width: g.width, structure: g.structure, maskable: g.maskable, canVanish: g.canVanish, members: g.members })},`,
      ),
      `} as const satisfies Readonly<Record<string, MaskGroupInfo<${d.layerPathType}>>>`,
    ]),
    {
      kind: StructureKind.TypeAlias,
      name: d.groupNameType,
      isExported: true,
      docs: ['The name of a mask group of this network.'],
      type: 'keyof typeof groups',
    },
  ];
}

function layersInterface(d: ModuleData): InterfaceDeclarationStructure {
  return {
    kind: StructureKind.Interface,
    name: d.layersTypeName,
    isExported: true,
    docs: [`The layers with weights of ${d.specPathComment}, one property per layer (named after its path).`],
    properties: d.layers.map((l) => ({ name: l.field, isReadonly: true, type: l.typeName, docs: [l.doc] })),
  };
}

function networkClass(d: ModuleData): ClassDeclarationStructure {
  const body: string[] = [];
  for (const s of d.forward) {
    for (const c of s.comments) body.push(c === '' ? '' : `// ${c}`);
    body.push(s.statement);
  }
  body.push('', `return ${d.output};`);
  return {
    kind: StructureKind.Class,
    name: d.className,
    isExported: true,
    extends: 'NetworkModule',
    docs: [
      `The network of ${d.specPathComment}, wired as code: its layers with weights in \`${LAYERS_FIELD}\`, and a forward pass\n` +
        "that applies each layer, and each group's mask where the runtime's `maskPlacement` puts it.",
    ],
    // The layers live in one namespace object: a label can be any name (`bnLayers:`, `masks:`, `forward:`) and still
    // never shadow a member of NetworkModule, whatever members it has now or gains later.
    properties: [{ name: LAYERS_FIELD, isReadonly: true, type: d.layersTypeName, docs: ['The layers with weights, one property per layer (named after its path).'] }],
    ctors: [
      {
        docs: ['Defaults: the IR below and the spec\'s seed.'],
        parameters: [
          { name: 'network', type: 'IrNetwork', initializer: 'ir' },
          { name: 'opts', type: 'ModuleOptions', initializer: '{ seed: network.train.seed }' },
        ],
        statements: lines(['super(network, opts);', `this.${LAYERS_FIELD} = {`, ...d.layers.map((l) => `${l.field}: ${l.initializer},`), '};']),
      },
    ],
    methods: [
      {
        name: 'forward',
        hasOverrideKeyword: true,
        docs: ['Logits for a batch; call inside `tf.tidy` or `tf.variableGrads`.'],
        parameters: [
          { name: 'x', type: 'Tensor' },
          { name: 'ctx', type: 'ForwardContext' },
        ],
        returnType: 'Tensor',
        statements: lines(body),
      },
    ],
  };
}

function irConst(d: ModuleData): WriterFunction {
  return dataConst(
    'The checked IR: metadata the runtime reads (groups, costs, settings). The wiring above does not read it.',
    'ir',
    'IrNetwork',
    d.irLiteral.split('\n'),
  );
}

function specSourceConst(d: ModuleData): WriterFunction {
  return dataConst(
    `The text of ${d.specPathComment} this module was built from; compaction writes the pruned spec as this text with the learned widths.`,
    'specSource',
    'string',
    ['[', ...d.sourceLines.map((l) => `${stringLiteral(l)},`), "].join('\\n')"],
  );
}

function mainFunction(d: ModuleData): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name: 'main',
    isExported: true,
    isAsync: true,
    docs: [`Trains ${d.className} with command-line flags (see --help); resolves to the exit code.`],
    parameters: [
      { name: 'argv', type: 'readonly string[]' },
      { name: 'io', type: 'TrainerIo', hasQuestionToken: true },
    ],
    returnType: 'Promise<number>',
    statements: lines([
      'return runTrainerMain(',
      'argv,',
      '{',
      `name: ${stringLiteral(d.name)},`,
      `specPath: ${stringLiteral(d.specPath)},`,
      `specUrl: new URL(${stringLiteral(d.specUrl)}, import.meta.url),`,
      'specSource,',
      'ir,',
      'defaults: defaultConfig,',
      `createModule: (network: IrNetwork, seed: number) => new ${d.className}(network, { seed }),`,
      '},',
      'io,',
      ');',
    ]),
  };
}

/**
 * The module's source text: structures added in one batch. The writers above produce the layout of ts-morph's
 * formatter with `FORMAT` directly, because formatting a ResNet-50 module would take most of the build time;
 * `formatModuleText` applies the formatter and a test checks that it changes nothing.
 */
export function emitModule(d: ModuleData): string {
  const parts: (Statement | Statement[])[] = [
    imports(d),
    configInterface(d),
    pathsAndGroups(d),
    layersInterface(d),
    networkClass(d),
    irConst(d),
    specSourceConst(d),
    mainFunction(d),
  ];
  // One blank line between top-level declarations (ts-morph only separates some kinds on its own).
  const statements: Statement[] = [];
  for (const p of parts) {
    for (const s of Array.isArray(p) ? p : [p]) {
      const isImport = typeof s !== 'function' && s.kind === StructureKind.ImportDeclaration;
      if (statements.length > 0 && !isImport) statements.push((w) => w.blankLineIfLastNot());
      statements.push(s);
    }
  }
  // The entry point: single statements, after the declarations so that `ir` is initialised when main runs.
  statements.push((w) => w.blankLineIfLastNot(), ...lineStatements([
    '// Runs main() when this file is executed directly (npx tsx ...); importing it has no effect.',
    'await runIfMain(import.meta.url, main);',
  ]));
  const header = [...d.header.map((h) => `// ${h}`), ''];
  const file = project().createSourceFile(`/${d.name}.ts`, { statements, leadingTrivia: lines(header) }, { overwrite: true });
  const text = file.getFullText();
  project().removeSourceFile(file);
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The text after ts-morph's formatter with archc's fixed settings (tests: generated output is a fixed point). */
export function formatModuleText(text: string): string {
  // A fresh project: the shared one's language service may hold an older version of a file of the same name.
  const file = new Project({ useInMemoryFileSystem: true }).createSourceFile('/check.ts', text);
  file.formatText(FORMAT);
  return file.getFullText();
}
