// `archc report RUN_DIR [--input A.arch] [--out FILE]`: writes RUN_DIR/report.html from the run's metrics.jsonl,
// the input spec (widths, layers), the pruned spec and diff.json when present. Self-contained HTML: opens offline.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeReport } from '../../report/index.ts';
import { UserError, type Io } from '../io.ts';
import type { RegisterCommand } from './index.ts';

export const registerReport: RegisterCommand = (program: Command, io: Io) => {
  program
    .command('report')
    .description('write RUN_DIR/report.html: training cost, kept widths, β, loss/accuracy and the width diff')
    .argument('<run-dir>', 'output folder of archc train or archc demo (holds metrics.jsonl)')
    .option('--input <file>', 'the input .arch spec (default: the one .arch in RUN_DIR that is not *.pruned.arch)')
    .option('--out <file>', 'where to write the HTML (default RUN_DIR/report.html)')
    .action(async (dir: string, opts: { input?: string; out?: string }) => {
      const d = resolve(io.cwd, dir);
      if (!existsSync(d)) throw new UserError(`${dir}: no such folder`);
      if (opts.input && !existsSync(resolve(io.cwd, opts.input))) throw new UserError(`${opts.input}: no such file`);
      try {
        const file = await writeReport(d, {
          ...(opts.input ? { input: resolve(io.cwd, opts.input) } : {}),
          ...(opts.out ? { out: resolve(io.cwd, opts.out) } : {}),
        });
        io.out(`report: ${file}`);
      } catch (e) {
        throw new UserError(e instanceof Error ? e.message : String(e));
      }
    });
};
