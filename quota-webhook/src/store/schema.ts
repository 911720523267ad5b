/**
 * The ledger's tables, defined once: the record columns (from which both
 * stores' CREATE TABLE, the insert column list, the row decoder and the
 * benches' baseline are derived), the running totals, the analytics rollup,
 * and the small tables beside them.
 */
import type { LedgerRow } from './types.js';

/** Logical column types: `int` is a 64-bit integer, `pico` an integer read as `bigint`, `flag` 0/1. */
export type ColumnType = 'text' | 'int' | 'pico' | 'real' | 'flag';

export interface ColumnDef {
  name: keyof LedgerRow;
  type: ColumnType;
  nullable: boolean;
}

const col = (name: keyof LedgerRow, type: ColumnType, nullable = true): ColumnDef => ({ name, type, nullable });

/** Every column of a ledger record, in table order. Add a column here (and to `LedgerRow`): both stores follow. */
export const LEDGER_COLUMNS = [
  col('id', 'text', false),
  col('time_ms', 'int', false),
  col('org', 'text'),
  col('department', 'text'),
  col('user_id', 'text'),
  col('feature', 'text'),
  col('project', 'text'),
  col('investigation', 'text'),
  col('session_id', 'text'),
  col('provider', 'text', false),
  col('operation', 'text', false),
  col('request_model', 'text'),
  col('response_model', 'text'),
  col('service_tier', 'text'),
  col('input', 'int', false),
  col('output', 'int', false),
  col('cache_read', 'int', false),
  col('cache_write', 'int', false),
  col('reasoning', 'int', false),
  col('tokens', 'int', false),
  col('cost_pico', 'pico'),
  col('price_id', 'text'),
  col('sender_cost_usd', 'text'),
  col('outcome', 'text', false),
  col('error_type', 'text'),
  col('latency_ms', 'real', false),
  col('source', 'text', false),
  col('service', 'text'),
  col('stream', 'flag'),
  col('prefix_hash', 'text'),
  col('request_hash', 'text'),
  col('prefix_tokens', 'int'),
  col('max_output_tokens', 'int'),
  col('finish_reason', 'text'),
  col('ingested_ms', 'int', false),
] as const satisfies readonly ColumnDef[];

/** The record column names, in table order. */
export const RECORD_COLUMNS: ReadonlyArray<keyof LedgerRow> = LEDGER_COLUMNS.map((c) => c.name);

// A compile-time check that the list names every field of `LedgerRow` (and nothing else).
type Listed = (typeof LEDGER_COLUMNS)[number]['name'];
type Missing = Exclude<keyof LedgerRow, Listed>;
const _everyField: [Missing] extends [never] ? true : Missing = true;
void _everyField;

export type Dialect = 'sqlite' | 'postgres';

const SQL_TYPES: Record<Dialect, Record<ColumnType, string>> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', pico: 'INTEGER', real: 'REAL', flag: 'INTEGER' },
  postgres: { text: 'TEXT', int: 'BIGINT', pico: 'BIGINT', real: 'DOUBLE PRECISION', flag: 'SMALLINT' },
};

/** `name TYPE [NOT NULL]` of one column in a dialect. */
export function columnSql(c: ColumnDef, dialect: Dialect): string {
  return `${c.name} ${SQL_TYPES[dialect][c.type]}${c.nullable ? '' : ' NOT NULL'}`;
}

/** Postgres array type of a column, for `unnest($n::type[])`. */
export function pgArrayType(c: ColumnDef): string {
  return `${SQL_TYPES.postgres[c.type].toLowerCase()}[]`;
}

/** The records table. SQLite: id is the key. Postgres: partitioned by month, so the key must hold `time_ms`. */
export function recordsTableSql(dialect: Dialect, table = 'records'): string {
  const cols = LEDGER_COLUMNS.map((c) => columnSql(c, dialect)).join(',\n  ');
  return dialect === 'sqlite'
    ? `CREATE TABLE IF NOT EXISTS ${table} (\n  ${cols},\n  PRIMARY KEY (id)\n);\nCREATE INDEX IF NOT EXISTS ${table}_time ON ${table} (time_ms, id);\n`
    : `CREATE TABLE IF NOT EXISTS ${table} (\n  ${cols},\n  PRIMARY KEY (id, time_ms)\n) PARTITION BY RANGE (time_ms);\nCREATE INDEX IF NOT EXISTS ${table}_time ON ${table} (time_ms, id);\n`;
}

/** Pico-USD per USD: totals keep whole dollars and the pico remainder in two 64-bit columns (exact to 9.2·10¹⁸ USD). */
export const PICO_PER_USD = 1_000_000_000_000n;

/** The split-money columns of totals and rollup. */
const MONEY = 'cost_whole_usd INTEGER NOT NULL, cost_frac_pico INTEGER NOT NULL';

/**
 * Running totals per (period, zone, window, scope, org, subject). Tokens are
 * 64-bit (exact beyond 2⁵³, read as bigint); money split so no window
 * overflows (a single 64-bit pico-USD column overflows at $9.2 M).
 */
export function totalsTableSql(dialect: Dialect): string {
  const int = SQL_TYPES[dialect].int;
  return `CREATE TABLE IF NOT EXISTS totals (
  period TEXT NOT NULL, tz TEXT NOT NULL, window_start ${int} NOT NULL, scope TEXT NOT NULL, org TEXT NOT NULL,
  subject TEXT NOT NULL, requests ${int} NOT NULL, tokens ${int} NOT NULL, ${MONEY.replace(/INTEGER/g, int)},
  PRIMARY KEY (period, tz, window_start, scope, org, subject)
)${dialect === 'sqlite' ? ' WITHOUT ROWID' : ''};\n`;
}

/** The columns summed per rollup bucket, in order (after scope, subject, bucket_ms). */
export const ROLLUP_SUMS = [
  'requests', 'errors', 'blocked', 'fallback', 'input', 'output', 'cache_read', 'cache_write', 'reasoning',
  'cost_whole_usd', 'cost_frac_pico', 'unpriced', 'latency_ms_sum',
] as const;

/**
 * Analytics rollup: per (scope, subject, 15-minute UTC bucket) sums of a
 * record's counts, tokens and cost. Every time zone's hours and days are
 * unions of 15-minute buckets (offsets are multiples of 15 minutes).
 */
export function rollupTableSql(dialect: Dialect): string {
  const int = SQL_TYPES[dialect].int;
  const real = SQL_TYPES[dialect].real;
  const sums = ROLLUP_SUMS.map((c) => `${c} ${c === 'latency_ms_sum' ? real : int} NOT NULL`).join(', ');
  return `CREATE TABLE IF NOT EXISTS rollup (
  scope TEXT NOT NULL, subject TEXT NOT NULL, bucket_ms ${int} NOT NULL, ${sums},
  PRIMARY KEY (scope, subject, bucket_ms)
)${dialect === 'sqlite' ? ' WITHOUT ROWID' : ''};\n`;
}

/** Entities (quotas, prices, …, JSON values), audit and meta. */
export function sideTablesSql(dialect: Dialect): string {
  const int = SQL_TYPES[dialect].int;
  const serial = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return `CREATE TABLE IF NOT EXISTS entities (kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, id))${dialect === 'sqlite' ? ' WITHOUT ROWID' : ''};
CREATE TABLE IF NOT EXISTS audit (
  id ${serial}, time_ms ${int} NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
  actor TEXT NOT NULL, subject TEXT, reason TEXT, data TEXT
);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time_ms);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, until_ms ${int} NOT NULL);
`;
}

/**
 * SQL that adds the money of `excluded` to a split-money row of `table`
 * (an upsert's SET list); SET expressions read the old values.
 */
export function addMoneySql(table: string): string {
  return `cost_whole_usd = ${table}.cost_whole_usd + excluded.cost_whole_usd + (${table}.cost_frac_pico + excluded.cost_frac_pico) / ${PICO_PER_USD},
  cost_frac_pico = (${table}.cost_frac_pico + excluded.cost_frac_pico) % ${PICO_PER_USD}`;
}

/** Whole dollars and the pico remainder of a non-negative amount. */
export function splitMoney(pico: bigint): [bigint, bigint] {
  return [pico / PICO_PER_USD, pico % PICO_PER_USD];
}
