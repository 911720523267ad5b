/** SQL shared by both stores, written with `?` placeholders (Postgres numbers them). */
import type { GroupBy, LedgerRow, RecordFilter } from './types.js';

export const RECORD_COLUMNS = [
  'id', 'time_ms', 'org', 'department', 'user_id', 'feature', 'investigation', 'session_id', 'provider', 'operation',
  'request_model', 'response_model', 'service_tier', 'input', 'output', 'cache_read', 'cache_write', 'reasoning', 'tokens',
  'cost_pico', 'price_id', 'sender_cost_usd', 'outcome', 'error_type', 'latency_ms', 'source', 'service', 'ingested_ms',
] as const satisfies ReadonlyArray<keyof LedgerRow>;

export function recordValues(r: LedgerRow): Array<string | number | bigint | null> {
  return RECORD_COLUMNS.map((c) => r[c] as string | number | bigint | null);
}

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
  eq('provider', f.provider);
  if (f.model !== undefined) {
    parts.push('COALESCE(response_model, request_model) = ?');
    params.push(f.model);
  }
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
    case 'model': return 'COALESCE(response_model, request_model)';
    case 'day': return '(time_ms - (time_ms % 86400000))';
    case 'hour': return '(time_ms - (time_ms % 3600000))';
    default: return g;
  }
}

export const GROUP_SELECT = `COUNT(*) AS requests, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read,
  SUM(cache_write) AS cache_write, SUM(reasoning) AS reasoning, SUM(tokens) AS tokens, COALESCE(SUM(cost_pico), 0) AS cost_pico,
  SUM(CASE WHEN cost_pico IS NULL THEN 1 ELSE 0 END) AS unpriced`;
