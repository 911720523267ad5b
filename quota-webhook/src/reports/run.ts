/**
 * Running one report: validate what can be validated before any output (the
 * period, the analytics source), then render it onto a stream. Shared by
 * `POST /reports`, scheduled runs and the command line (through the API).
 */
import type { Writable } from 'node:stream';
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { Store } from '../store/types.js';
import { FORMAT_FILES, type ReportDefinition } from './definition.js';
import { renderReport } from './formats/index.js';
import { buildReport } from './kinds/index.js';
import type { ReportSources } from './kinds/sources.js';
import type { Report } from './model.js';
import { formatLocal } from './periods.js';

export interface ReportEnvironment {
  store: Store;
  catalog: () => PriceCatalog;
  sources: () => ReportSources;
  clock: () => number;
  maxPdfRows: number;
}

export interface PreparedReport {
  def: ReportDefinition;
  report: Report;
  filename: string;
  contentType: string;
}

/** `tokenmeter-usage-2025-03-01_2025-03-31.csv`: the kind and the period's first and last local day. */
export function reportFilename(def: ReportDefinition, report: Report): string {
  const p = report.meta.period;
  const first = formatLocal(p.from, p.timezone).slice(0, 10);
  const last = formatLocal(Math.max(p.from, p.to - 1), p.timezone).slice(0, 10);
  return `tokenmeter-${def.kind}-${first === last ? first : `${first}_${last}`}.${FORMAT_FILES[def.format].extension}`;
}

/**
 * Builds the report as of `now` (default: the clock), its relative period
 * resolved at `reference` (default `now`); throws `ReportInputError` or
 * `SourceUnavailableError` before any output.
 */
export function prepareReport(env: ReportEnvironment, def: ReportDefinition, now = env.clock(), reference = now): PreparedReport {
  const report = buildReport(def, { store: env.store, catalog: env.catalog(), sources: env.sources(), now }, reference);
  return { def, report, filename: reportFilename(def, report), contentType: FORMAT_FILES[def.format].contentType };
}

export function writeReport(env: ReportEnvironment, prepared: PreparedReport, out: Writable): Promise<void> {
  return renderReport(prepared.report, prepared.def.format, out, { maxPdfRows: env.maxPdfRows });
}
