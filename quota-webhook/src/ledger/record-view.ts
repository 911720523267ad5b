/**
 * How a ledger row leaves the service: the JSON record view (the wire
 * `UsageRecord` names plus the ledger's own price and flags) and the flat
 * CSV row, both derived from the column list in `store/schema.ts`.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { LEDGER_COLUMNS } from '../store/schema.js';
import type { LedgerRow } from '../store/types.js';

/** Wire names of the columns whose name differs on the wire. */
const WIRE_NAME: Partial<Record<keyof LedgerRow, string>> = { user_id: 'user', session_id: 'session' };
const TOKEN_COLUMNS = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;
const FINGERPRINT_COLUMNS = ['prefix_hash', 'request_hash', 'prefix_tokens', 'max_output_tokens', 'finish_reason'] as const;
const NESTED = new Set<string>([...TOKEN_COLUMNS, ...FINGERPRINT_COLUMNS]);
/** Columns kept even when null: a null cost means unpriced, not unknown. */
const KEEP_NULL = new Set<string>(['cost_usd', 'price_id']);

/** The JSON view of a ledger row. */
export function recordView(r: LedgerRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of LEDGER_COLUMNS) {
    if (c.name === 'ingested_ms' || NESTED.has(c.name)) continue;
    const v = r[c.name];
    if (c.name === 'time_ms') out.time = new Date(r.time_ms).toISOString();
    else if (c.name === 'tokens') {
      out.tokens = Object.fromEntries(TOKEN_COLUMNS.map((t) => [t, r[t]]));
      out.total_tokens = r.tokens;
    } else if (c.name === 'cost_pico') {
      out.cost_usd = r.cost_pico === null ? null : formatUsd(r.cost_pico);
      out.unpriced = r.cost_pico === null;
    } else if (c.name === 'stream') {
      if (r.stream !== null) out.stream = r.stream === 1;
    } else if (v !== null || KEEP_NULL.has(c.name)) out[WIRE_NAME[c.name] ?? c.name] = v;
  }
  if (r.prefix_hash !== null) {
    const fp: Record<string, unknown> = {};
    for (const k of FINGERPRINT_COLUMNS) if (r[k] !== null) fp[k] = r[k];
    out.fingerprint = fp;
  }
  return out;
}

/** CSV names of the columns whose name differs in CSV. */
const CSV_NAME: Partial<Record<keyof LedgerRow, string>> = {
  time_ms: 'time', user_id: 'user', session_id: 'session', input: 'input_tokens', output: 'output_tokens',
  cache_read: 'cache_read_tokens', cache_write: 'cache_write_tokens', reasoning: 'reasoning_tokens', tokens: 'total_tokens', cost_pico: 'cost_usd',
};

const CSV_SOURCE = LEDGER_COLUMNS.filter((c) => c.name !== 'ingested_ms');

/** The CSV header: every record column (wire-style names), plus `unpriced` after the cost. */
export const RECORD_CSV_COLUMNS: readonly string[] = CSV_SOURCE.flatMap((c) => (c.name === 'cost_pico' ? ['cost_usd', 'unpriced'] : [CSV_NAME[c.name] ?? c.name]));

/** The values of one row in `RECORD_CSV_COLUMNS` order (null → empty; money exact; time ISO 8601). */
export function recordCsvValues(r: LedgerRow): Array<string | number | boolean | null> {
  return CSV_SOURCE.flatMap((c): Array<string | number | boolean | null> => {
    if (c.name === 'time_ms') return [new Date(r.time_ms).toISOString()];
    if (c.name === 'cost_pico') return [r.cost_pico === null ? null : formatUsd(r.cost_pico), r.cost_pico === null];
    if (c.name === 'stream') return [r.stream === null ? null : r.stream === 1];
    return [r[c.name] as string | number | null];
  });
}
