// Inputs for the injection tests (hostile.test.ts, typecheck.test.ts): a spec whose data path holds every hostile
// character the lexer lets through a string, and a hand-built IR whose layer and group names could break code.

import { plainCnnIr } from '../../src/runtime/testing/ir-fixtures.ts';
import type { IrNetwork } from '../../src/semantic/ir.ts';

export function hostileDataSpec(): { spec: string; path: string } {
  // In .arch source: \" and \\ and \n are the string escapes; the rest is literal.
  const path = "data/it's `${process.exit(1)}` */ \\ \" é \u2028 \u202E 😀\nnext";
  const escaped = path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const spec = [
    '# hostile strings: */ ${x} ` \u2028 é',
    'network hostile {',
    '  input image(28, 28, 1)',
    `  train { data fashion-mnist("${escaped}")  steps 5  batch 4 }`,
    '  layers {',
    '    maskable conv(4, kernel 3)  bn  relu  # trailing */ comment `${x}`',
    '    flatten',
    '    dense(10)',
    '  }',
    '}',
    '',
  ].join('\n');
  return { spec, path };
}

/** plainCnnIr with its node and group names replaced by hostile ones (members renamed consistently). */
export function hostilePathIr(): IrNetwork {
  const ir = plainCnnIr();
  const hostile = ["a'b", 'c`${process.exit(1)}`', '*/ d /*', 'e\nf', 'ü.x', 'masks', 'forward', 'constructor', 'a.b', 'a_b', 'conv', '1st'];
  const rename = new Map<string, string>();
  ir.nodes.forEach((n, i) => {
    if (n.kind === 'input') return;
    const to = hostile[i % hostile.length]! + (i >= hostile.length ? `.${i}` : '');
    rename.set(n.path, to);
    n.path = to;
  });
  for (const g of ir.groups) {
    g.members = g.members.map((m) => rename.get(m) ?? m);
    g.name = `g${g.id}:'${g.name}\`*/\n`;
  }
  return ir;
}
