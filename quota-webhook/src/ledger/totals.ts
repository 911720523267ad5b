/**
 * Running totals: every record adds to one row per (period, time zone in use)
 * × (scope it has a subject for), keyed by org so org-restricted quotas and
 * per-org provider usage read one row. Aggregated per batch in memory first.
 */
import { QUOTA_PERIODS, type QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { windowStarts } from '../quotas/periods.js';
import { mergeTotal } from '../store/sqlite.js';
import type { LedgerRow, TotalRow } from '../store/types.js';

/** The (scope, subject) pairs a record counts for. */
export function subjectsOf(r: LedgerRow): Array<[QuotaScope, string]> {
  const out: Array<[QuotaScope, string]> = [];
  if (r.org !== null) out.push(['org', r.org]);
  if (r.department !== null) out.push(['department', r.department]);
  if (r.user_id !== null) out.push(['user', r.user_id]);
  if (r.feature !== null) out.push(['feature', r.feature]);
  out.push(['provider', r.provider]);
  return out;
}

/** Total deltas of `rows` for the time zones `tzs`, aggregated. */
export function totalDeltas(rows: readonly LedgerRow[], tzs: readonly string[]): TotalRow[] {
  const acc = new Map<string, TotalRow>();
  for (const r of rows) {
    const org = r.org ?? '';
    const subjects = subjectsOf(r);
    const cost = r.cost_pico ?? 0n;
    for (const tz of tzs) {
      const starts = windowStarts(r.time_ms, tz);
      for (const period of QUOTA_PERIODS) {
        const window_start = starts[period];
        for (const [scope, subject] of subjects) {
          mergeTotal(acc, { period, tz, window_start, scope, org, subject, requests: 1, tokens: r.tokens, cost_pico: cost });
        }
      }
    }
  }
  return [...acc.values()];
}
