// Step two of the PyTorch target: PyModuleData → the text of `<network>.py`. The layout is fixed (4-space indents,
// one statement per line, the back-link comment above each statement), so the output is deterministic and a
// staleness test can compare it byte for byte.

import type { PyModuleData } from './gather.ts';
import { pyString } from './python-literal.ts';

export function emitPyModule(d: PyModuleData): string {
  const out: string[] = [];
  for (const h of d.header) out.push(`# ${h}`);
  out.push(
    `"""${d.name} as a PyTorch nn.Module with archc's mask groups; \`python3 -m ${d.name}\` trains it."""`,
    'from archc_torch import ops',
    'from archc_torch.layers import NetworkModule',
    'from archc_torch.main import run_main',
    '',
    `SPEC_PATH = ${pyString(d.specPath)}`,
    '# The spec text, written into every run folder so `archc compact RUN_DIR` can rebuild the checked IR.',
    `SPEC_SOURCE = ${pyString(d.sourceText)}`,
    '# The checked IR: shapes, mask groups (with their resolved sparsify settings), train settings, costs.',
    `IR = ${d.irLines.join('\n')}`,
    '',
    '',
    `class ${d.className}(NetworkModule):`,
    `    """Layer paths, mask placement and residual gates as in the TypeScript module generated from ${d.specPath.replace(/"/g, "'")}."""`,
    '',
    '    IR = IR',
    '    SPEC_PATH = SPEC_PATH',
    '    SPEC_SOURCE = SPEC_SOURCE',
    '',
    '    def __init__(self, seed=IR["train"]["seed"]):',
    '        super().__init__(IR, seed)',
  );
  for (const l of d.layers) {
    out.push(`        # ${l.comment}`);
    out.push(`        self.${l.field} = ${l.initializer}`);
  }
  out.push('', '    def forward(self, x):', '        # Group id → this forward\'s mask: σ(βs)·q in training, 1[s > 0] in evaluation.', '        m = self.masks.forward_masks()');
  for (const s of d.forward) {
    for (const c of s.comments) out.push(`        # ${c}`);
    out.push(`        ${s.statement}`);
  }
  out.push(
    `        return ${d.output}`,
    '',
    '',
    'def main(argv=None):',
    `    return run_main(${d.className}, argv)`,
    '',
    '',
    'if __name__ == "__main__":',
    '    raise SystemExit(main())',
    '',
  );
  return out.join('\n');
}
