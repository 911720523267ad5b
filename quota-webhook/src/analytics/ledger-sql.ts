/**
 * Portable SQL over the ledger's `records` table for the chargeback and
 * recommendation queries: `?` placeholders, integer arithmetic only (integer
 * division of integers is integral in SQLite and Postgres alike), and value
 * readers that accept what either driver returns (numbers, bigints, numeric
 * strings).
 */

/** Runs one read-only query; rows as plain objects keyed by column alias. */
export type ReadQuery = (sql: string, params: ReadonlyArray<string | number>) => Promise<Array<Record<string, unknown>>>;

/** Scopes the analytics endpoints filter by. */
export const ANALYTICS_SCOPES = ['org', 'department', 'user', 'feature', 'provider', 'model', 'project'] as const;
export type AnalyticsScope = (typeof ANALYTICS_SCOPES)[number];

/** The model a record was priced as: the response model if known, else the request model. */
export const MODEL_EXPR = 'COALESCE(response_model, request_model)';

/** Column (or expression) of each attribute. */
export const ATTRIBUTE_SQL: Readonly<Record<string, string>> = {
  org: 'org', department: 'department', project: 'project', feature: 'feature', investigation: 'investigation',
  user: 'user_id', service: 'service', provider: 'provider', model: MODEL_EXPR,
};

export interface LedgerSlice {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  scope?: AnalyticsScope;
  subject?: string;
}

/** ` WHERE time_ms >= ? AND time_ms < ? [AND <scope> = ?]` and its parameters. */
export function sliceWhere(s: LedgerSlice): { sql: string; params: Array<string | number> } {
  const params: Array<string | number> = [s.fromMs, s.toMs];
  let sql = ' WHERE time_ms >= ? AND time_ms < ?';
  if (s.scope !== undefined && s.subject !== undefined) {
    sql += ` AND ${ATTRIBUTE_SQL[s.scope]} = ?`;
    params.push(s.subject);
  }
  return { sql, params };
}

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return 0;
  return Number(v);
}

export function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  const s = String(v);
  // Postgres numeric sums arrive as strings, possibly with a ".0…" tail.
  const dot = s.indexOf('.');
  return BigInt(dot === -1 ? s : s.slice(0, dot));
}

export function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
