/**
 * Runs every detector over one evidence window of the ledger and ranks the
 * findings by estimated monthly savings. Dismissals are applied by the caller
 * (they live in the control plane's store).
 */
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import { offsetAt } from '../../quotas/periods.js';
import type { LedgerSlice, ReadQuery } from '../ledger-sql.js';
import { detectBatching } from './batching.js';
import { detectCaching } from './caching.js';
import { detectFailedSpend } from './failed-spend.js';
import { detectModelSelection } from './model-selection.js';
import { detectDuplicates, detectInputHeavy, detectTruncation } from './prompt-efficiency.js';
import { duplicateStats, prefixStats, trafficStats, truncationStats } from './queries.js';
import { byMonthlySavings } from './rank.js';
import type { DetectorAggregates, DetectorContext, Recommendation } from './types.js';
import { scanWindow } from './window-scan.js';

export interface EngineOptions {
  catalog: PriceCatalog;
  /** The evidence window and scope filter. */
  slice: LedgerSlice;
  /** Rates are read at this instant. */
  asOfMs: number;
  tz: string;
  batchable: readonly string[];
}

/** Local hour of each UTC hour of day, by the zone's offset at `atMs` (a DST change within the window shifts by an hour at most). */
export function localHourMapper(tz: string, atMs: number): (hourUtc: number) => number {
  const offsetMinutes = Math.round(offsetAt(atMs, tz) / 60_000);
  return (h) => ((Math.floor((h * 60 + offsetMinutes) / 60) % 24) + 24) % 24;
}

/**
 * The detectors' aggregates of the window. SQLite: one scan (window-scan.ts;
 * its four GROUP BYs cost about three times as much). Postgres, and a reader
 * of unknown dialect: the four queries, on four pool connections at once.
 */
export async function windowAggregates(q: ReadQuery, slice: LedgerSlice, batchable: readonly string[]): Promise<DetectorAggregates> {
  if (q.dialect === 'sqlite') return scanWindow(q, slice, batchable);
  const [{ subjects, hours }, prefixes, duplicates, truncation] = await Promise.all([
    trafficStats(q, slice, batchable), prefixStats(q, slice), duplicateStats(q, slice), truncationStats(q, slice),
  ]);
  return { subjects, hours, prefixes, duplicates, truncation };
}

export async function runDetectors(q: ReadQuery, o: EngineOptions): Promise<Recommendation[]> {
  const { subjects: stats, hours, prefixes, duplicates, truncation } = await windowAggregates(q, o.slice, o.batchable);
  const ctx: DetectorContext = {
    catalog: o.catalog, asOfMs: o.asOfMs, fromMs: o.slice.fromMs, toMs: o.slice.toMs,
    localHour: localHourMapper(o.tz, o.asOfMs), batchable: new Set(o.batchable),
  };
  const all = [
    ...detectCaching(ctx, prefixes),
    ...detectBatching(ctx, hours),
    ...detectModelSelection(ctx, stats),
    ...detectDuplicates(ctx, duplicates),
    ...detectTruncation(ctx, truncation),
    ...detectInputHeavy(ctx, stats),
    ...detectFailedSpend(ctx, stats),
  ];
  return all.sort(byMonthlySavings);
}
