/** Decoding driver values into the store's row types (SQLite gives bigints, Postgres strings for 64-bit and numeric). */
import type { QuotaPeriod, QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { LEDGER_COLUMNS, PICO_PER_USD } from './schema.js';
import type { AuditEntry, GroupRow, LedgerRow, RollupRow, RollupScope, SqlRow, TotalRow } from './types.js';

/** A number from a driver value (`null` → 0). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/** A bigint from a driver value (`null` → 0n; a numeric string must be whole). */
export function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  return BigInt((v as string | null) ?? 0);
}

/** A string or null from a driver value. */
export function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** Whole dollars and pico remainder columns → pico-USD. */
export function moneyFrom(r: SqlRow): bigint {
  return big(r.cost_whole_usd) * PICO_PER_USD + big(r.cost_frac_pico);
}

export function ledgerRowFrom(r: SqlRow): LedgerRow {
  const out: Record<string, unknown> = {};
  for (const c of LEDGER_COLUMNS) {
    const v = r[c.name];
    if (v === null || v === undefined) out[c.name] = c.nullable ? null : c.type === 'text' ? '' : 0;
    else if (c.type === 'text') out[c.name] = String(v);
    else if (c.type === 'pico') out[c.name] = big(v);
    else out[c.name] = num(v);
  }
  return out as unknown as LedgerRow;
}

export function totalRowFrom(r: SqlRow): TotalRow {
  return {
    period: r.period as QuotaPeriod, tz: String(r.tz), window_start: num(r.window_start), scope: r.scope as QuotaScope,
    org: String(r.org), subject: String(r.subject), requests: num(r.requests), tokens: big(r.tokens), cost_pico: moneyFrom(r),
  };
}

export function rollupRowFrom(r: SqlRow): RollupRow {
  return {
    scope: r.scope as RollupScope, subject: String(r.subject), bucket_ms: num(r.bucket_ms), requests: num(r.requests),
    errors: num(r.errors), blocked: num(r.blocked), fallback: num(r.fallback), input: num(r.input), output: num(r.output),
    cache_read: num(r.cache_read), cache_write: num(r.cache_write), reasoning: num(r.reasoning), cost_pico: moneyFrom(r),
    unpriced: num(r.unpriced), latency_ms_sum: num(r.latency_ms_sum),
  };
}

export function groupRowFrom(r: SqlRow): GroupRow {
  return {
    key: r.key === null || r.key === undefined ? null : String(r.key), requests: num(r.requests), input: num(r.input),
    output: num(r.output), cache_read: num(r.cache_read), cache_write: num(r.cache_write),
    reasoning: num(r.reasoning), tokens: num(r.tokens), cost_pico: costSum(r), unpriced: num(r.unpriced),
  };
}

export function auditFrom(r: SqlRow): AuditEntry {
  return {
    id: num(r.id), time_ms: num(r.time_ms), kind: String(r.kind), action: String(r.action), actor: String(r.actor),
    subject: str(r.subject), reason: str(r.reason), data: r.data === null || r.data === undefined ? null : JSON.parse(String(r.data)),
  };
}

/** The exact pico-USD of a row selected with `COST_SUM_SQL` (columns `cost_micro`, `cost_sub`, or prefixed). */
export function costSum(r: SqlRow, prefix = 'cost'): bigint {
  return big(r[`${prefix}_micro`]) * 1_000_000n + big(r[`${prefix}_sub`]);
}

export function totalKey(t: TotalRow): string {
  return `${t.period}\u0000${t.tz}\u0000${t.window_start}\u0000${t.scope}\u0000${t.org}\u0000${t.subject}`;
}

/** Adds `d` into the accumulator (same key → summed). */
export function mergeTotal(acc: Map<string, TotalRow>, d: TotalRow): void {
  const k = totalKey(d);
  const cur = acc.get(k);
  if (cur) {
    cur.requests += d.requests;
    cur.tokens += d.tokens;
    cur.cost_pico += d.cost_pico;
  } else acc.set(k, { ...d });
}

export function rollupKey(r: RollupRow): string {
  return `${r.scope}\u0000${r.subject}\u0000${r.bucket_ms}`;
}

/** Adds the sums of `b` into `a`. */
export function addAggregate<T extends Omit<RollupRow, 'scope' | 'subject' | 'bucket_ms'>>(a: T, b: Omit<RollupRow, 'scope' | 'subject' | 'bucket_ms'>): T {
  a.requests += b.requests;
  a.errors += b.errors;
  a.blocked += b.blocked;
  a.fallback += b.fallback;
  a.input += b.input;
  a.output += b.output;
  a.cache_read += b.cache_read;
  a.cache_write += b.cache_write;
  a.reasoning += b.reasoning;
  a.cost_pico += b.cost_pico;
  a.unpriced += b.unpriced;
  a.latency_ms_sum += b.latency_ms_sum;
  return a;
}

/** Adds `d` into the accumulator (same scope, subject and bucket → summed). */
export function mergeRollup(acc: Map<string, RollupRow>, d: RollupRow): void {
  const k = rollupKey(d);
  const cur = acc.get(k);
  if (cur) addAggregate(cur, d);
  else acc.set(k, { ...d });
}
