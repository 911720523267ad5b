/** SQL shared by both stores, written with `?` placeholders (Postgres numbers them). */
import { RECORD_COLUMNS } from './schema.js';
import type { GroupBy, LedgerRow, RecordFilter, RollupScope } from './types.js';

export { RECORD_COLUMNS };

export function recordValues(r: LedgerRow): Array<string | number | bigint | null> {
  return RECORD_COLUMNS.map((c) => r[c] as string | number | bigint | null);
}

/** The records column (or expression) holding a rollup scope's subject; `all` has none. */
export const SUBJECT_COLUMN: Record<Exclude<RollupScope, 'all'>, string> = {
  org: 'org',
  department: 'department',
  user: 'user_id',
  feature: 'feature',
  project: 'project',
  provider: 'provider',
  model: 'COALESCE(response_model, request_model)',
};

/** WHERE clause (with leading ` WHERE`, or empty) and its parameters. */
export function whereClause(f: RecordFilter): { sql: string; params: Array<string | number> } {
  const parts: string[] = [];
  const params: Array<string | number> = [];
  const eq = (col: string, v: string | undefined): void => {
    if (v !== undefined) {
      parts.push(`${col} = ?`);
      params.push(v);
    }
  };
  if (f.from !== undefined) {
    parts.push('time_ms >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    parts.push('time_ms < ?');
    params.push(f.to);
  }
  eq('org', f.org);
  eq('department', f.department);
  eq('user_id', f.user);
  eq('feature', f.feature);
  eq('project', f.project);
  eq('provider', f.provider);
  eq(SUBJECT_COLUMN.model, f.model);
  eq('investigation', f.investigation);
  eq('session_id', f.session);
  eq('outcome', f.outcome);
  return { sql: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/** The grouping expression; day/hour buckets are UTC epoch-ms starts. */
export function groupExpr(g: GroupBy): string {
  switch (g) {
    case 'user': return 'user_id';
    case 'session': return 'session_id';
    case 'model': return SUBJECT_COLUMN.model;
    case 'day': return '(time_ms - (time_ms % 86400000))';
    case 'hour': return '(time_ms - (time_ms % 3600000))';
    default: return g;
  }
}

/**
 * Exact sum of pico-USD costs in both stores: micro-USD and the pico
 * remainder summed apart (SQLite's 64-bit SUM of pico-USD overflows at
 * $9.2 M). Decode with `costSum(row)` (rows.ts). `prefix` names the columns.
 */
export function costSumSql(prefix = 'cost', column = 'cost_pico'): string {
  return `COALESCE(SUM(${column} / 1000000), 0) AS ${prefix}_micro, COALESCE(SUM(${column} % 1000000), 0) AS ${prefix}_sub`;
}

/** `costSumSql()`: columns `cost_micro`, `cost_sub`. */
export const COST_SUM_SQL = costSumSql();

export const GROUP_SELECT = `COUNT(*) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read,
  SUM(cache_write) AS cache_write, SUM(reasoning) AS reasoning, SUM(tokens) AS tokens, ${COST_SUM_SQL},
  SUM(CASE WHEN cost_pico IS NULL THEN 1 ELSE 0 END) AS unpriced`;

/** Orders groups by cost, highest first: SQLite's TOTAL never overflows (a float, for ordering only); Postgres sums bigint exactly. */
export const ORDER_BY_COST = { sqlite: 'TOTAL(cost_pico) DESC', postgres: 'SUM(cost_pico) DESC NULLS LAST' } as const;

/** The rollup sums of records, for building rollup rows from the ledger (the edges of a series). */
export const AGGREGATE_SELECT = `COUNT(*) AS requests, SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN outcome = 'blocked' THEN 1 ELSE 0 END) AS blocked, SUM(CASE WHEN outcome = 'fallback' THEN 1 ELSE 0 END) AS fallback,
  SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write,
  SUM(reasoning) AS reasoning, ${COST_SUM_SQL}, SUM(CASE WHEN cost_pico IS NULL THEN 1 ELSE 0 END) AS unpriced,
  SUM(latency_ms) AS latency_ms_sum`;

/** Numbers `?` placeholders as `$1, $2, …` (Postgres). Portable SQL here never has `?` inside a literal. */
export function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}
