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
  nonAsciiIdentifier: {
    code: 'ARCH1004',
    severity: 'error',
    text: "identifiers may contain only ASCII letters, digits and '_', but '{0}' contains '{1}'",
  },
  unknownEscape: { code: 'ARCH1005', severity: 'error', text: "unknown escape sequence '{0}' in string (use \\\", \\\\ or \\n)" },
  unexpectedQuote: { code: 'ARCH1006', severity: 'error', text: "unexpected character '{0}': strings use double quotes (\"…\")" },
  syntaxNestingTooDeep: { code: 'ARCH1007', severity: 'error', text: 'nesting deeper than {0} levels is not supported' },
  // --- ARCH2xxx: names and binding ----------------------------------------------------------
  unknownLayer: { code: 'ARCH2001', severity: 'error', text: "unknown layer '{0}'{1}" },
  unknownArg: { code: 'ARCH2002', severity: 'error', text: "unknown argument '{0}' for '{1}'{2}" },
  missingArg: { code: 'ARCH2003', severity: 'error', text: "missing argument '{0}' for '{1}'" },
  duplicateArg: { code: 'ARCH2004', severity: 'error', text: "'{0}' is given more than once" },
  tooManyArgs: { code: 'ARCH2005', severity: 'error', text: "'{0}' takes at most {1} positional argument(s)" },
  duplicateBlock: { code: 'ARCH2006', severity: 'error', text: "duplicate block '{0}'" },
  duplicateParam: { code: 'ARCH2007', severity: 'error', text: "duplicate parameter '{0}' in block '{1}'" },
  duplicateName: { code: 'ARCH2008', severity: 'error', text: "duplicate name '{0}': the path '{1}' is already used" },
  recursiveBlock: { code: 'ARCH2009', severity: 'error', text: "block '{0}' instantiates itself ({1})" },
  unknownName: { code: 'ARCH2010', severity: 'error', text: "unknown name '{0}'{1}" },
  blockShadowsLayer: { code: 'ARCH2011', severity: 'error', text: "block '{0}' has the name of a built-in layer kind" },
  missingInput: { code: 'ARCH2012', severity: 'error', text: "network '{0}' has no 'input' declaration" },
  missingLayers: { code: 'ARCH2013', severity: 'error', text: "network '{0}' has no 'layers' section" },
  duplicateSection: { code: 'ARCH2014', severity: 'error', text: "duplicate '{0}' section" },
  unknownSetting: { code: 'ARCH2015', severity: 'error', text: "unknown setting '{0}' in '{1}'{2}" },
  unknownSection: { code: 'ARCH2016', severity: 'error', text: "'{0}' is not allowed here; expected {1}" },
  missingNetwork: { code: 'ARCH2017', severity: 'error', text: 'the file has no network declaration' },
  invalidEnum: { code: 'ARCH2018', severity: 'error', text: "'{0}' is not a valid value for '{1}'; expected {2}" },
  typeMismatch: { code: 'ARCH2019', severity: 'error', text: "'{0}' expects {1}; got {2}" },
  addOutsideBlock: { code: 'ARCH2020', severity: 'error', text: "'add' must be inside a block: it adds the input of the enclosing block instance" },
  invalidBranch: { code: 'ARCH2021', severity: 'error', text: 'a concat operand must be a block or layer call, e.g. concat(branchA(32), maxpool(3, stride 1, padding same))' },
  unknownInputKind: { code: 'ARCH2022', severity: 'error', text: "unknown input '{0}'; expected image(H, W, C) or tokens(vocab V, seq T)" },
  unknownWidthPath: { code: 'ARCH2023', severity: 'error', text: "'widths' names '{0}', which is not a layer of this network{1}" },
  duplicateWidthOverride: { code: 'ARCH2024', severity: 'error', text: "'widths' gives '{0}' a width more than once" },
  unknownDataset: { code: 'ARCH2025', severity: 'error', text: "unknown dataset '{0}'{1}" },
  // --- ARCH3xxx: layers and shapes ----------------------------------------------------------
  residualMismatch: { code: 'ARCH3001', severity: 'error', text: 'residual add of {0} and {1} needs a projection: write add(shortcut) or add(projection)' },
  kernelTooLarge: { code: 'ARCH3002', severity: 'error', text: "{0} {1} is larger than its input {2} with padding 'valid'" },
  recurrentNeedsSequence: { code: 'ARCH3003', severity: 'error', text: '{1} needs a sequence [T, F]; got a feature map {0} (a 4-D tensor with the batch axis): use embedding for tokens, or flatten the image into a sequence first' },
  notMaskableKind: { code: 'ARCH3004', severity: 'error', text: "'{0}' cannot be maskable: only conv, dwconv, dense and lstm layers have maskable structures" },
  maskableBlock: { code: 'ARCH3005', severity: 'error', text: "'maskable' applies to a layer, not to block '{0}': mark the layers inside the block" },
  maskableOutput: { code: 'ARCH3006', severity: 'error', text: "'{0}' produces the network's {1} outputs, whose number is fixed by the task; it cannot be maskable" },
  headMismatch: { code: 'ARCH3007', severity: 'error', text: "the final layer has {0} outputs but {1} has {2} classes" },
  lmHeadMismatch: { code: 'ARCH3008', severity: 'error', text: 'the final layer has {0} outputs but the vocabulary has {1} tokens' },
  wrongInputRank: { code: 'ARCH3009', severity: 'error', text: "'{0}' needs {1}; got {2}" },
  badOutputShape: { code: 'ARCH3010', severity: 'error', text: 'the network must end in {0}; got {1}' },
  projectionImpossible: { code: 'ARCH3011', severity: 'error', text: 'cannot project the block input {0} onto {1} with a strided 1x1 conv' },
  badGroups: { code: 'ARCH3012', severity: 'error', text: 'groups {0} must divide both the input channels ({1}) and the filters ({2})' },
  maskableGroupedConv: { code: 'ARCH3013', severity: 'error', text: 'a grouped conv (groups {0}) cannot be maskable: its channels are tied to its groups' },
  concatMismatch: { code: 'ARCH3014', severity: 'error', text: 'concat branches must agree in all but the last axis; got {0} and {1}' },
  concatTooFew: { code: 'ARCH3015', severity: 'error', text: 'concat needs at least two branches' },
  datasetInputMismatch: { code: 'ARCH3016', severity: 'error', text: "dataset '{0}' yields {1}, but the network's input is {2}" },
  addGroupingMismatch: { code: 'ARCH3017', severity: 'error', text: 'residual add of two concatenations with different channel splits ({0} and {1}) is not supported' },
  taskMismatch: { code: 'ARCH3018', severity: 'error', text: "dataset '{0}' is for {1}, but the network's input is {2}" },
  widthNotOverridable: { code: 'ARCH3019', severity: 'error', text: "'{0}' is {1}, which has no width of its own to override: 'widths' applies to conv, dense and lstm layers" },
  widthOverrideValue: { code: 'ARCH3020', severity: 'error', text: "the width of '{0}' must be a positive integer; got {1}" },
  widthOverrideOutput: { code: 'ARCH3021', severity: 'error', text: "'{0}' produces the network's {1} outputs, whose number is fixed by the task; its width cannot be overridden" },
  // --- ARCH4xxx: sparsify / train settings ---------------------------------------------------
  outOfRange: { code: 'ARCH4001', severity: 'error', text: '{0} must be {1}; got {2}' },
  epochsAndSteps: { code: 'ARCH4002', severity: 'error', text: "give either 'epochs' or 'steps', not both" },
  milestonesNotIncreasing: { code: 'ARCH4003', severity: 'error', text: 'lr milestones must be strictly increasing; {0} follows {1}' },
  milestoneOutsideRun: { code: 'ARCH4004', severity: 'error', text: 'lr milestone {0} is outside the run of {1} {2}' },
  milestonesInEpochsWithSteps: { code: 'ARCH4005', severity: 'error', text: "lr milestones 'at' are in epochs, but the run is planned in steps and the epoch length of '{0}' is not known; write 'atSteps [...]'" },
  everyNotSteps: { code: 'ARCH4006', severity: 'error', text: "scheduler 'every' is an update interval in steps and must be an integer >= 1; got {0}" },
  everyBeyondRun: { code: 'ARCH4007', severity: 'error', text: "scheduler 'every' {0} exceeds the planned {1} steps, so beta would never update" },
  betaFinalNeedsPlan: { code: 'ARCH4008', severity: 'error', text: "'betaFinal' needs the run length: give 'epochs' or 'steps' in the train section" },
  gammaAndBetaFinal: { code: 'ARCH4009', severity: 'error', text: "give either 'gamma' or 'betaFinal', not both" },
  sparsifyConflict: { code: 'ARCH4010', severity: 'error', text: "mask group '{0}' has conflicting sparsify settings: '{1}' and '{2}' differ in {3}" },
  augmentNeedsImages: { code: 'ARCH4011', severity: 'error', text: "'{0}' augmentation needs image input" },
  unknownAugment: { code: 'ARCH4012', severity: 'error', text: "unknown augmentation '{0}'; expected crop(N) or flip" },
  milestonesBothUnits: { code: 'ARCH4013', severity: 'error', text: "give either 'at' (epochs) or 'atSteps', not both" },
  milestonesMissing: { code: 'ARCH4014', severity: 'error', text: "step schedule needs milestones: 'at [...]' in epochs or 'atSteps [...]' in steps" },
  // --- ARCH5xxx: sizes and limits -------------------------------------------------------------
  notPositiveInt: { code: 'ARCH5001', severity: 'error', text: '{0} must be a positive integer; got {1}' },
  sizeTooLarge: { code: 'ARCH5002', severity: 'error', text: '{0} {1} exceeds the limit of {2}' },
  tooManyParams: { code: 'ARCH5003', severity: 'error', text: 'the network has {0} parameters, more than the limit of {1}' },
  activationMemory: { code: 'ARCH5004', severity: 'error', text: 'activations need {0} float32 values ({1}) per example, more than the limit of {2}' },
  repeatCount: { code: 'ARCH5005', severity: 'error', text: 'repeat count must be an integer from 1 to {0}; got {1}' },
  tooManyNodes: { code: 'ARCH5006', severity: 'error', text: 'the network expands to more than {0} layers' },
  nestingTooDeep: { code: 'ARCH5007', severity: 'error', text: 'blocks are nested more than {0} deep' },
  // --- ARCH6xxx: compaction and diff ----------------------------------------------------------
  // --- ARCH9xxx: files and I/O ----------------------------------------------------------------
  fileNotFound: { code: 'ARCH9001', severity: 'error', text: "cannot read file '{0}': {1}" },
  // --- ARCH4015–4019: budget targets (`sparsify { target macs 40% }`, README "Budget targets") --------
  targetForm: { code: 'ARCH4015', severity: 'error', text: "'target' needs what to budget and how much: write 'target macs 40%', 'target macs 150M' or 'target params 1.2M'; got {0}" },
  targetNotNetwork: { code: 'ARCH4016', severity: 'error', text: "'{0}' is a budget for the whole network: write it in the network's sparsify section, not in a block, group or maskable(...)" },
  targetContradicts: { code: 'ARCH4017', severity: 'error', text: "'{0}' contradicts the network's 'target': with a target, the budget controller sets λ and weighs the penalty by the target's {1}; remove one of them" },
  targetUnreachable: { code: 'ARCH4018', severity: 'error', text: 'target {0} {1} is below the smallest network minWidth allows: {2} ({3} of the dense {4}); lower minWidth, or raise the target' },
  toleranceForm: { code: 'ARCH4019', severity: 'error', text: "'tolerance' is in percentage points of the dense network, from 0% to 50%: write e.g. 'tolerance 2%'; got {0}" },
  // --- appended (issue 15, front end); codes keep their ranges, the table keeps its order of addition ---
  paramHidesWord: {
    code: 'ARCH2026',
    severity: 'error',
    text: "parameter '{0}' of block '{1}' hides the word '{0}' (as in '{2}'): rename the parameter",
  },
  labelIsAutoName: {
    code: 'ARCH2027',
    severity: 'error',
    text: "label '{0}' is also the automatic name of an unlabelled '{1}' (automatic names are the kind and a count): choose another label, or label that layer too",
  },
  // --- appended (issue 15, hostile input: defects 5, 13, 14) ---
  identifierTooLong: { code: 'ARCH1008', severity: 'error', text: "identifier '{0}' is {1} characters long, more than the limit of {2}" },
  tooManyLexErrors: {
    code: 'ARCH1009',
    severity: 'error',
    text: 'more than {0} characters that no token matches: is this an .arch text file? Reading stopped here',
  },
  tooManySyntaxErrors: { code: 'ARCH1010', severity: 'error', text: 'more than {0} syntax errors: reading stopped here' },
  sourceTooLarge: { code: 'ARCH5008', severity: 'error', text: 'the file is {0}, more than the limit of {1}' },
  tooManyTokens: { code: 'ARCH5009', severity: 'error', text: 'the file has more than {0} tokens; reading stopped here' },
  tooManyStatements: { code: 'ARCH5010', severity: 'error', text: 'the file has more than {0} layer statements (a network expands to at most {0} layers)' },
  notText: { code: 'ARCH9002', severity: 'error', text: "'{0}' is not a text file: {1}" },
  // --- appended (issue 15, reliability: a residual block on a concat's channels) ---
  maskablePinned: {
    code: 'ARCH3022',
    severity: 'warning',
    text: "'{0}' will not be pruned: residual add '{1}' adds channels that are split differently among mask groups (a residual block on a concat's channels), so archc keeps every group on that add at full width; a 1x1 conv before the block gives the add channels of one group",
  },
  // --- appended (issue 13, the registry: grouped convolution) ---
  tiedChannelsMasked: {
    code: 'ARCH3023',
    severity: 'error',
    text: "'{0}' is {1}: its {2} channels are tied to its groups, but they are in the maskable group {3} (marked at '{4}'), which would prune them one by one and leave groups of unequal width; mark no layer of that group maskable, or use groups 1",
  },
} as const satisfies Record<string, MessageDef>;

export type MessageKey = keyof typeof MESSAGES;
