/** How the chargeback and recommendation services read the control plane's ledger: its read-only SQL runner and its exact totals. */
import type { ControlPlane } from '../control-plane.js';
import type { LedgerTotals } from './chargeback-service.js';
import { sliceTotals } from './chargeback-queries.js';
import type { ReadQuery } from './ledger-sql.js';

/** The control plane's read-only SQL runner as the analytics queries call it. */
export function readQueryOf(cp: ControlPlane): ReadQuery {
  const q = (sql: string, params: ReadonlyArray<string | number>) => cp.store.readQuery(sql, params);
  return Object.assign(q, { dialect: cp.store.kind });
}

/**
 * The ledger's exact totals of a slice from the analytics rollup kept at
 * ingest (whole 15-minute buckets) and the records at its edges
 * (`LedgerQueries.series`): a path apart from the allocation's GROUP BY, and
 * far fewer rows than the records over long periods. A slice with filters
 * beyond one scope (a report's) is summed from the records.
 */
export function ledgerTotalsOf(cp: ControlPlane): LedgerTotals {
  return async (slice) => {
    if (slice.filters !== undefined && Object.keys(slice.filters).length > 0) return sliceTotals(readQueryOf(cp), slice);
    const rows = await cp.queries.series(slice.scope !== undefined && slice.subject !== undefined
      ? { scope: slice.scope, subject: slice.subject, from: slice.fromMs, to: slice.toMs }
      : { scope: 'all', from: slice.fromMs, to: slice.toMs });
    const t = { cost_pico: 0n, tokens: 0, requests: 0, unpriced: 0 };
    for (const r of rows) {
      t.cost_pico += r.cost_pico;
      t.tokens += r.input + r.output + r.cache_read + r.cache_write + r.reasoning;
      t.requests += r.requests;
      t.unpriced += r.unpriced;
    }
    return t;
  };
}
