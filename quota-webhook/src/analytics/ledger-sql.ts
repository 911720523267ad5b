/**
 * Portable SQL over the ledger's `records` table for the chargeback and
 * recommendation queries, run through `Store.readQuery`: `?` placeholders,
 * integer arithmetic only (integer division of 64-bit integers is integral
 * in SQLite and Postgres alike), money summed with `costSumSql` and decoded
 * with `costSum`, other values with `num` / `str` (store/rows.ts).
 */
import { SUBJECT_COLUMN } from '../store/sql.js';
import type { ReadOptions, SqlRow } from '../store/types.js';

/** Runs one read-only query (`Store.readQuery`). */
export interface ReadQuery {
  (sql: string, params: ReadonlyArray<string | number>, options?: ReadOptions): Promise<SqlRow[]>;
  /** The store's SQL dialect, when known: a reader may choose how to read by it (`Store.kind`). */
  readonly dialect?: 'sqlite' | 'postgres';
}

/** Scopes the analytics endpoints filter by. */
export const ANALYTICS_SCOPES = ['org', 'department', 'user', 'feature', 'provider', 'model', 'project'] as const;
export type AnalyticsScope = (typeof ANALYTICS_SCOPES)[number];

/** The model a record was priced as: the response model if known, else the request model. */
export const MODEL_EXPR = SUBJECT_COLUMN.model;

/** Column (or expression) of each attribute. */
export const ATTRIBUTE_SQL: Readonly<Record<string, string>> = {
  ...SUBJECT_COLUMN, investigation: 'investigation', service: 'service', session: 'session_id', outcome: 'outcome',
};

export interface LedgerSlice {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  scope?: AnalyticsScope;
  subject?: string;
  /** More attribute = value conditions (a report's filters). */
  filters?: Readonly<Record<string, string>>;
}

/** An attribute's column or expression, its columns qualified by `alias` (e.g. `r.`). */
export function attributeSql(attribute: string, alias = ''): string {
  if (attribute === 'model') return `COALESCE(${alias}response_model, ${alias}request_model)`;
  return `${alias}${ATTRIBUTE_SQL[attribute]}`;
}

/** ` WHERE time_ms >= ? AND time_ms < ? [AND <scope> = ?]` and its parameters; columns qualified by `alias`. */
export function sliceWhere(s: LedgerSlice, alias = ''): { sql: string; params: Array<string | number> } {
  const params: Array<string | number> = [s.fromMs, s.toMs];
  let sql = ` WHERE ${alias}time_ms >= ? AND ${alias}time_ms < ?`;
  if (s.scope !== undefined && s.subject !== undefined) {
    sql += ` AND ${attributeSql(s.scope, alias)} = ?`;
    params.push(s.subject);
  }
  for (const [attribute, value] of Object.entries(s.filters ?? {})) {
    if (ATTRIBUTE_SQL[attribute] === undefined) throw new RangeError(`unknown filter attribute "${attribute}"`);
    sql += ` AND ${attributeSql(attribute, alias)} = ?`;
    params.push(value);
  }
  return { sql, params };
}

/**
 * Fraction of the ledger's time span past which SQLite reads a slice by
 * scanning the table rather than through the time index: each row found by
 * the index costs a second B-tree lookup in the table, about twice a row
 * read in a scan, so a window over most of the ledger is faster scanned.
 */
export const SCAN_SPAN_SHARE = 0.5;

/** The ledger's first and last `time_ms`: two subqueries, as SQLite reads MIN or MAX from an end of the index only when it is the query's sole aggregate. */
export const LEDGER_SPAN_SQL = 'SELECT (SELECT MIN(time_ms) FROM records) AS lo, (SELECT MAX(time_ms) FROM records) AS hi';

/**
 * The `FROM` source of the records for a slice: `records`, or on SQLite
 * `records NOT INDEXED` when the slice covers more than `SCAN_SPAN_SHARE` of
 * the ledger's time span (`LEDGER_SPAN_SQL`: two probes of the time index). Only
 * the plan differs; the rows read are the same.
 */
export async function recordsSource(q: ReadQuery, s: Pick<LedgerSlice, 'fromMs' | 'toMs'>): Promise<string> {
  if (q.dialect !== 'sqlite') return 'records';
  const [r] = await q(LEDGER_SPAN_SQL, []);
  if (r === undefined || r.lo === null || r.hi === null) return 'records';
  const lo = Number(r.lo);
  const hi = Number(r.hi) + 1;
  const covered = Math.min(hi, s.toMs) - Math.max(lo, s.fromMs);
  return covered > SCAN_SPAN_SHARE * (hi - lo) ? 'records NOT INDEXED' : 'records';
}
