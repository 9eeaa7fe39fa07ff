// The report stage (after compaction and diff): a run directory → <dir>/report.html, self-contained.
import { join } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.ts';
import { renderReport } from './html.ts';
import { loadRunDir, type LoadOptions } from './model.ts';

export { renderReport, diffRows } from './html.ts';
export { loadRunDir, parseMetrics, stageOf, groupsFromIr, layersFromIr, groupsFromMetrics, groupsFromCompaction, type CompactionFacts, type ReportData, type SweepPoint, type RunFacts, type GroupInfo, type LayerInfo, type LoadOptions } from './model.ts';
export { lineChart, histogram, niceTicks, fmtNum } from './svg.ts';

/** Loads `dir` and writes `<dir>/report.html` (or `out`); returns the path written. */
export async function writeReport(dir: string, opts: LoadOptions & { out?: string } = {}): Promise<string> {
  const data = await loadRunDir(dir, opts);
  const file = opts.out ?? join(dir, 'report.html');
  writeFileAtomicSync(file, renderReport(data));
  return file;
}
