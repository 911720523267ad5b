/**
 * What one record adds to the derived tables: a running-total row per
 * (period, time zone in use) × (quota scope it has a subject for), keyed by
 * org so org-restricted quotas and per-org provider usage read one row; and
 * a rollup row per analytics dimension it has a value for, in its
 * 15-minute bucket. Aggregated per batch in memory first.
 */
import { QUOTA_PERIODS, type QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { windowStarts } from '../quotas/periods.js';
import { mergeRollup, mergeTotal } from '../store/rows.js';
import { ROLLUP_BUCKET_MS, type Deltas, type LedgerRow, type RollupRow, type RollupScope, type TotalRow } from '../store/types.js';

/** The (scope, subject) pairs a record counts for in quotas. */
export function subjectsOf(r: LedgerRow): Array<[QuotaScope, string]> {
  const out: Array<[QuotaScope, string]> = [];
  if (r.org !== null) out.push(['org', r.org]);
  if (r.department !== null) out.push(['department', r.department]);
  if (r.user_id !== null) out.push(['user', r.user_id]);
  if (r.feature !== null) out.push(['feature', r.feature]);
  out.push(['provider', r.provider]);
  return out;
}

/** The model a record is analysed under: the one that answered, else the one asked for. */
export function modelOf(r: Pick<LedgerRow, 'response_model' | 'request_model'>): string | null {
  return r.response_model ?? r.request_model;
}

/** The (rollup scope, subject) pairs of a record. */
export function rollupSubjectsOf(r: LedgerRow): Array<[RollupScope, string]> {
  const out: Array<[RollupScope, string]> = [['all', '*']];
  if (r.org !== null) out.push(['org', r.org]);
  if (r.department !== null) out.push(['department', r.department]);
  if (r.user_id !== null) out.push(['user', r.user_id]);
  if (r.feature !== null) out.push(['feature', r.feature]);
  if (r.project !== null) out.push(['project', r.project]);
  out.push(['provider', r.provider]);
  const model = modelOf(r);
  if (model !== null) out.push(['model', model]);
  return out;
}

/** Start of the 15-minute UTC rollup bucket holding `ms`. */
export function rollupBucket(ms: number): number {
  return ms - (((ms % ROLLUP_BUCKET_MS) + ROLLUP_BUCKET_MS) % ROLLUP_BUCKET_MS);
}

/** Total deltas of `rows` for the time zones `tzs`, aggregated. */
export function totalDeltas(rows: readonly LedgerRow[], tzs: readonly string[]): TotalRow[] {
  const acc = new Map<string, TotalRow>();
  for (const r of rows) {
    const org = r.org ?? '';
    const subjects = subjectsOf(r);
    const cost = r.cost_pico ?? 0n;
    const tokens = BigInt(r.tokens);
    for (const tz of tzs) {
      const starts = windowStarts(r.time_ms, tz);
      for (const period of QUOTA_PERIODS) {
        const window_start = starts[period];
        for (const [scope, subject] of subjects) {
          mergeTotal(acc, { period, tz, window_start, scope, org, subject, requests: 1, tokens, cost_pico: cost });
        }
      }
    }
  }
  return [...acc.values()];
}

/** Rollup deltas of `rows`, aggregated. */
export function rollupDeltas(rows: readonly LedgerRow[]): RollupRow[] {
  const acc = new Map<string, RollupRow>();
  for (const r of rows) {
    const bucket_ms = rollupBucket(r.time_ms);
    const sums = {
      requests: 1, errors: r.outcome === 'error' ? 1 : 0, blocked: r.outcome === 'blocked' ? 1 : 0, fallback: r.outcome === 'fallback' ? 1 : 0,
      input: r.input, output: r.output, cache_read: r.cache_read, cache_write: r.cache_write, reasoning: r.reasoning,
      cost_pico: r.cost_pico ?? 0n, unpriced: r.cost_pico === null ? 1 : 0, latency_ms_sum: r.latency_ms,
    };
    for (const [scope, subject] of rollupSubjectsOf(r)) mergeRollup(acc, { scope, subject, bucket_ms, ...sums });
  }
  return [...acc.values()];
}

/** Everything `rows` add to the derived tables for the time zones `tzs`. */
export function ledgerDeltas(rows: readonly LedgerRow[], tzs: readonly string[]): Deltas {
  return { totals: totalDeltas(rows, tzs), rollup: rollupDeltas(rows) };
}
