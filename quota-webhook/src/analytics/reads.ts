/** How the chargeback and recommendation services read the control plane's ledger: its read-only SQL runner and its exact totals. */
import type { ControlPlane } from '../control-plane.js';
import type { LedgerTotals } from './chargeback-service.js';
import { sliceTotals } from './chargeback-queries.js';
import type { ReadQuery } from './ledger-sql.js';
import { big, costSum, num } from '../store/rows.js';
import { PICO_PER_USD } from '../store/schema.js';
import { costSumSql } from '../store/sql.js';
import { ROLLUP_BUCKET_MS, type ReadOptions } from '../store/types.js';

/** The control plane's read-only SQL runner as the analytics queries call it. */
export function readQueryOf(cp: ControlPlane): ReadQuery {
  const q = (sql: string, params: ReadonlyArray<string | number>, options?: ReadOptions) => cp.store.readQuery(sql, params, options);
  return Object.assign(q, { dialect: cp.store.kind });
}

/** Whole rollup buckets summed by the database: one row however long the range (the rows themselves are 96 a day). */
const ROLLUP_TOTALS = `SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(unpriced), 0) AS unpriced,
  COALESCE(SUM(input + output + cache_read + cache_write + reasoning), 0) AS tokens, COALESCE(SUM(cost_whole_usd), 0) AS whole_usd,
  ${costSumSql('frac', 'cost_frac_pico')}
  FROM rollup WHERE scope = ? AND subject = ? AND bucket_ms >= ? AND bucket_ms < ?`;

/**
 * The ledger's exact totals of a slice from the analytics rollup kept at
 * ingest (whole 15-minute buckets, summed in SQL) and the records at its
 * edges (`LedgerQueries.series`): a path apart from the allocation's GROUP
 * BY, and far fewer rows than the records over long periods. A slice with
 * filters beyond one scope (a report's) is summed from the records.
 */
export function ledgerTotalsOf(cp: ControlPlane): LedgerTotals {
  return async (slice) => {
    if (slice.filters !== undefined && Object.keys(slice.filters).length > 0) return sliceTotals(readQueryOf(cp), slice);
    const target = slice.scope !== undefined && slice.subject !== undefined ? { scope: slice.scope, subject: slice.subject } : { scope: 'all' as const, subject: '*' };
    const t = { cost_pico: 0n, tokens: 0, requests: 0, unpriced: 0 };
    const add = (r: { cost_pico: bigint; tokens: number; requests: number; unpriced: number }): void => {
      t.cost_pico += r.cost_pico;
      t.tokens += r.tokens;
      t.requests += r.requests;
      t.unpriced += r.unpriced;
    };
    const firstFull = Math.ceil(slice.fromMs / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
    const lastFull = Math.floor(slice.toMs / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
    // The partial buckets at the edges (or the whole slice inside one bucket) from the records.
    const edges: Array<[number, number]> = firstFull >= lastFull ? [[slice.fromMs, slice.toMs]] : [[slice.fromMs, firstFull], [lastFull, slice.toMs]];
    for (const [from, to] of edges) {
      if (!(to > from)) continue;
      for (const r of await cp.queries.series({ ...target, from, to })) {
        add({ cost_pico: r.cost_pico, tokens: r.input + r.output + r.cache_read + r.cache_write + r.reasoning, requests: r.requests, unpriced: r.unpriced });
      }
    }
    if (firstFull < lastFull) {
      const [r] = await cp.store.readQuery(ROLLUP_TOTALS, [target.scope, target.subject, firstFull, lastFull]);
      if (r) add({ cost_pico: big(r.whole_usd) * PICO_PER_USD + costSum(r, 'frac'), tokens: num(r.tokens), requests: num(r.requests), unpriced: num(r.unpriced) });
    }
    return t;
  };
}
