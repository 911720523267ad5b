/**
 * Portable SQL over the ledger's `records` table for the chargeback and
 * recommendation queries, run through `Store.readQuery`: `?` placeholders,
 * integer arithmetic only (integer division of 64-bit integers is integral
 * in SQLite and Postgres alike), money summed with `costSumSql` and decoded
 * with `costSum`, other values with `num` / `str` (store/rows.ts).
 */
import { SUBJECT_COLUMN } from '../store/sql.js';
import type { SqlRow } from '../store/types.js';

/** Runs one read-only query (`Store.readQuery`). */
export interface ReadQuery {
  (sql: string, params: ReadonlyArray<string | number>): Promise<SqlRow[]>;
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
