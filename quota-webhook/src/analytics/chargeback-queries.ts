/** The ledger aggregates of the chargeback endpoints (allocation, top, efficiency, ROI): one GROUP BY each. */
import type { AllocationAttribute, AllocationLeaf, Amounts } from './allocation.js';
import type { EfficiencyGroup } from './efficiency.js';
import { costSumSql } from '../store/sql.js';
import { costSum, num, str } from '../store/rows.js';
import { ATTRIBUTE_SQL, recordsSource, sliceWhere, type LedgerSlice, type ReadQuery } from './ledger-sql.js';
import type { TopGroup, TopGroupBy } from './top.js';

/** Exact pico-USD sums (columns `cost_micro`, `cost_sub`; decoded by `costSum`). */
const COST = costSumSql('cost');
const UNPRICED = 'SUM(CASE WHEN cost_pico IS NULL THEN 1 ELSE 0 END)';

/** Σ of a slice straight from the records. */
export async function sliceTotals(q: ReadQuery, slice: LedgerSlice): Promise<Amounts & { unpriced: number }> {
  const w = sliceWhere(slice);
  const [r] = await q(`SELECT COUNT(*) AS requests, COALESCE(SUM(tokens), 0) AS tokens, ${COST}, ${UNPRICED} AS unpriced FROM records${w.sql}`, w.params);
  return { requests: num(r?.requests), tokens: num(r?.tokens), cost_pico: r ? costSum(r) : 0n, unpriced: num(r?.unpriced) };
}

/** Allocation attributes from the most to the least distinct values in a typical ledger. */
const GROUP_FIRST: readonly AllocationAttribute[] = ['user', 'feature', 'model', 'service', 'project', 'department', 'investigation', 'provider', 'org'];

/** The slice grouped by `attributes` (the levels plus what the rules match on). */
export async function allocationLeaves(q: ReadQuery, slice: LedgerSlice, attributes: readonly AllocationAttribute[]): Promise<AllocationLeaf[]> {
  const w = sliceWhere(slice);
  const from = await recordsSource(q, slice);
  const cols = attributes.map((a) => `${ATTRIBUTE_SQL[a]}`);
  const select = attributes.map((a, i) => `${cols[i]} AS a_${a}`).join(', ');
  // Grouped most distinguishing column first: SQLite groups by sorting, and comparisons that stop at the first column are cheaper.
  const grouping = [...attributes].sort((a, b) => GROUP_FIRST.indexOf(a) - GROUP_FIRST.indexOf(b)).map((a) => ATTRIBUTE_SQL[a]);
  const rows = await q(`SELECT ${select}, COUNT(*) AS requests, COALESCE(SUM(tokens), 0) AS tokens, ${COST}, ${UNPRICED} AS unpriced
    FROM ${from}${w.sql} GROUP BY ${grouping.join(', ')}`, w.params);
  return rows.map((r) => {
    const attrs: AllocationLeaf['attrs'] = {};
    for (const a of attributes) attrs[a] = str(r[`a_${a}`]);
    return { attrs, requests: num(r.requests), tokens: num(r.tokens), cost_pico: costSum(r), unpriced: num(r.unpriced) };
  });
}

export async function topGroups(q: ReadQuery, slice: LedgerSlice, groupBy: TopGroupBy, activeUsers: boolean): Promise<TopGroup[]> {
  const w = sliceWhere(slice);
  const from = await recordsSource(q, slice);
  const col = ATTRIBUTE_SQL[groupBy]!;
  const users = activeUsers ? ', COUNT(DISTINCT user_id) AS users' : '';
  const rows = await q(`SELECT ${col} AS k, COUNT(*) AS requests, COALESCE(SUM(tokens), 0) AS tokens, ${COST}${users}
    FROM ${from}${w.sql} GROUP BY ${col}`, w.params);
  return rows.map((r) => {
    const g: TopGroup = { key: str(r.k), requests: num(r.requests), tokens: num(r.tokens), cost_pico: costSum(r) };
    if (activeUsers) g.active_users = num(r.users);
    return g;
  });
}

export const EFFICIENCY_GROUPS = ['feature', 'model', 'department'] as const;
export type EfficiencyGroupBy = (typeof EFFICIENCY_GROUPS)[number];

export async function efficiencyGroups(q: ReadQuery, slice: LedgerSlice, groupBy: EfficiencyGroupBy): Promise<EfficiencyGroup[]> {
  const w = sliceWhere(slice);
  const from = await recordsSource(q, slice);
  const col = ATTRIBUTE_SQL[groupBy]!;
  const rows = await q(`SELECT ${col} AS k, COUNT(*) AS requests,
      SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END) AS ok, SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END) AS errors,
      SUM(CASE WHEN outcome = 'blocked' THEN 1 ELSE 0 END) AS blocked,
      SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write, SUM(reasoning) AS reasoning,
      ${COST}, SUM(CASE WHEN outcome <> 'blocked' THEN latency_ms ELSE 0 END) AS latency_sum,
      SUM(CASE WHEN outcome <> 'blocked' THEN 1 ELSE 0 END) AS latency_n
    FROM ${from}${w.sql} GROUP BY ${col}`, w.params);
  return rows.map((r) => ({
    key: str(r.k), requests: num(r.requests), ok: num(r.ok), errors: num(r.errors), blocked: num(r.blocked),
    input: num(r.input), output: num(r.output), cache_read: num(r.cache_read), cache_write: num(r.cache_write), reasoning: num(r.reasoning),
    cost_pico: costSum(r), latency_sum_ms: num(r.latency_sum), latency_count: num(r.latency_n),
  }));
}

export interface FeatureCost {
  feature: string;
  requests: number;
  ok: number;
  cost_pico: bigint;
  unpriced: number;
}

export async function featureCosts(q: ReadQuery, slice: LedgerSlice): Promise<FeatureCost[]> {
  const w = sliceWhere(slice);
  const from = await recordsSource(q, slice);
  const rows = await q(`SELECT feature, COUNT(*) AS requests, SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END) AS ok, ${COST}, ${UNPRICED} AS unpriced
    FROM ${from}${w.sql} AND feature IS NOT NULL GROUP BY feature`, w.params);
  return rows.map((r) => ({ feature: String(r.feature), requests: num(r.requests), ok: num(r.ok), cost_pico: costSum(r), unpriced: num(r.unpriced) }));
}

/**
 * Successful requests of `features` per stretch between `breakpoints` (sorted
 * epoch ms inside the slice): result[feature][i] counts [b(i-1), b(i)), with
 * b(-1) = slice start and b(n) = slice end.
 */
export async function successesBetween(q: ReadQuery, slice: LedgerSlice, features: readonly string[], breakpoints: readonly number[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(features.map((f) => [f, Array.from({ length: breakpoints.length + 1 }, () => 0)]));
  if (features.length === 0) return out;
  const w = sliceWhere(slice);
  // Breakpoints are integers we computed: inlined, so the GROUP BY expression is the SELECT's (Postgres compares them textually).
  for (const b of breakpoints) if (!Number.isSafeInteger(b)) throw new RangeError(`breakpoint ${b} is not an integer`);
  const seg = breakpoints.length === 0 ? '0' : `CASE ${breakpoints.map((b, i) => `WHEN time_ms < ${b} THEN ${i}`).join(' ')} ELSE ${breakpoints.length} END`;
  const rows = await q(`SELECT feature, ${seg} AS seg, COUNT(*) AS n FROM records${w.sql} AND outcome = 'ok' AND feature IN (${features.map(() => '?').join(', ')})
    GROUP BY feature, ${seg}`, [...w.params, ...features]);
  for (const r of rows) {
    const list = out.get(String(r.feature));
    if (list) list[num(r.seg)] = num(r.n);
  }
  return out;
}
