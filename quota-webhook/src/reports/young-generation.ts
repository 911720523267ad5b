/**
 * The control plane's work is streaming (ingest batches, report pages): what
 * it allocates dies young. V8 nevertheless doubles its young generation as
 * allocation goes on, up to 2 × 64 MB here, and that memory is kept: a
 * million-record report then peaked near 280 MB of which ~130 MB was young
 * generation holding garbage. Keeping the young generation at its initial
 * size (`--semi-space-growth-factor=1`, read by V8 at each GC, so it can be
 * set at start-up) brought that peak under 100 MB at the same speed (bench/
 * reports.js). Explicit V8 settings of the operator (`--max-semi-space-size`,
 * `--semi-space-growth-factor` on the command line or in NODE_OPTIONS) win.
 */
import v8 from 'node:v8';

export function keepYoungGenerationSmall(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => /^--(max-semi-space-size|semi-space-growth-factor|semi_space_growth_factor|max_semi_space_size)\b/.test(a))) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
