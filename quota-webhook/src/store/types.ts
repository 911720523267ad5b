/** The persistence seam: one interface, SQLite (default) and Postgres behind it. */
import type { QuotaPeriod, QuotaScope } from '@tokenmeter/instrumentation/protocol';

/** One ledger row (a priced `UsageRecord`). Costs are exact pico-USD; `cost_pico` null = unpriced. */
export interface LedgerRow {
  id: string;
  time_ms: number;
  org: string | null;
  department: string | null;
  user_id: string | null;
  feature: string | null;
  project: string | null;
  investigation: string | null;
  session_id: string | null;
  provider: string;
  operation: string;
  request_model: string | null;
  response_model: string | null;
  service_tier: string | null;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
  tokens: number;
  cost_pico: bigint | null;
  price_id: string | null;
  /** The sender's own `cost_usd`, kept for comparison. */
  sender_cost_usd: string | null;
  outcome: string;
  error_type: string | null;
  latency_ms: number;
  source: string;
  service: string | null;
  /** 1 streamed, 0 not, null unknown. */
  stream: number | null;
  /** Prompt fingerprint (`PromptFingerprint` of protocol.ts), flattened. */
  prefix_hash: string | null;
  request_hash: string | null;
  prefix_tokens: number | null;
  max_output_tokens: number | null;
  finish_reason: string | null;
  ingested_ms: number;
}

/** A running-total key: one (period, time zone) window of one scope subject within one org (`''` = none). */
export interface TotalKey {
  period: QuotaPeriod;
  tz: string;
  window_start: number;
  scope: QuotaScope;
  org: string;
  subject: string;
}

/** Exact sums: tokens and money are `bigint` (exact beyond 2⁵³ and beyond a 64-bit pico-USD total). */
export interface TotalValues {
  requests: number;
  tokens: bigint;
  cost_pico: bigint;
}

export type TotalRow = TotalKey & TotalValues;

/** Filter of ledger queries; all fields optional, times epoch ms, `to` exclusive. */
export interface RecordFilter {
  from?: number;
  to?: number;
  org?: string;
  department?: string;
  user?: string;
  feature?: string;
  provider?: string;
  model?: string;
  investigation?: string;
  session?: string;
  project?: string;
  outcome?: string;
}

export const GROUP_BY = ['investigation', 'session', 'user', 'feature', 'project', 'model', 'department', 'org', 'provider', 'day', 'hour'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface GroupRow {
  key: string | null;
  requests: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
  tokens: number;
  cost_pico: bigint;
  unpriced: number;
}

export interface AuditEntry {
  id?: number;
  time_ms: number;
  kind: string;
  action: string;
  actor: string;
  subject: string | null;
  reason: string | null;
  data: unknown;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  kind?: string;
  limit?: number;
}

/** Dimensions of the analytics rollup; `all` has the one subject `*`. */
export const ROLLUP_SCOPES = ['all', 'org', 'department', 'user', 'feature', 'project', 'provider', 'model'] as const;
export type RollupScope = (typeof ROLLUP_SCOPES)[number];

/** Rollup bucket: 15 minutes, so every time zone's hours and days are unions of buckets. */
export const ROLLUP_BUCKET_MS = 900_000;

/** Sums of records: counts by outcome, tokens by type, exact cost, unpriced calls and summed latency. */
export interface UsageAggregate {
  requests: number;
  errors: number;
  blocked: number;
  fallback: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
  cost_pico: bigint;
  unpriced: number;
  latency_ms_sum: number;
}

/** One rollup row: the sums of one subject's records in one 15-minute UTC bucket. */
export interface RollupRow extends UsageAggregate {
  scope: RollupScope;
  subject: string;
  bucket_ms: number;
}

/** What one ingest adds: running-total and rollup deltas of the rows actually inserted. */
export interface Deltas {
  totals: TotalRow[];
  rollup: RollupRow[];
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  /** With `returnTotals`: the touched total rows after the batch. */
  totals?: TotalRow[];
}

/** Computes the deltas of the rows that were actually inserted (called inside the ingest transaction). */
export type DeltaFn = (inserted: readonly LedgerRow[]) => Deltas;

/** A rollup read: one scope, optionally one subject, buckets in [from, to) (multiples of `ROLLUP_BUCKET_MS`). */
export interface RollupQuery {
  scope: RollupScope;
  subject?: string;
  from: number;
  to: number;
}

/** A running `Store.watch`. */
export interface StoreWatch {
  stop(): void;
  listening: Promise<void>;
}

/** A change another process made (see `Store.watch`). */
export interface StoreChange {
  kind: string;
  id: string;
}

/** How `readQuery` plans a statement. */
export interface ReadOptions {
  /**
   * Postgres: aggregate by hashing, not sorting (`enable_sort` off for the
   * statement). For a GROUP BY over many columns whose groups are few: the
   * planner multiplies the columns' distinct counts, expects about one group
   * per row and sorts them all. SQLite, which always sorts, ignores it.
   */
  preferHash?: boolean;
}

/** A row of `readQuery`: column → value as the driver gives it (decode with `num`, `big`, `str` of rows.ts). */
export type SqlRow = Record<string, unknown>;

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or migrates the schema; `rebuild` = derived tables (totals, rollup) must be rebuilt from the records. */
  init(): Promise<{ rebuild: boolean }>;
  close(): Promise<void>;
  /**
   * Inserts rows whose id is new and adds `deltas(inserted)` to the running totals and the rollup, in one
   * durable transaction. With `returnTotals`, also answers the new values of every total row it touched
   * (read in the same transaction: what enforcement at ingest compares with the limits).
   */
  ingest(rows: readonly LedgerRow[], deltas: DeltaFn, options?: { returnTotals?: boolean }): Promise<IngestOutcome>;
  /** Every total row of one window and scope (all orgs and subjects). */
  windowTotals(period: QuotaPeriod, tz: string, windowStart: number, scope: QuotaScope): Promise<TotalRow[]>;
  /** Every total row of the given windows (one query for the whole quota evaluation). */
  windowsTotals(windows: ReadonlyArray<{ period: QuotaPeriod; tz: string; window_start: number }>): Promise<TotalRow[]>;
  /**
   * Replaces the totals of these time zones by `compute(records).totals` over the whole ledger, in one
   * transaction; with `rollup`, the whole rollup by `compute(records).rollup` too.
   */
  rebuildTotals(tzs: readonly string[], compute: DeltaFn, options?: { rollup?: boolean }): Promise<{ records: number; totals: number }>;
  /** Rollup rows of one scope (and subject) in [from, to), ordered by bucket then subject. */
  rollup(query: RollupQuery): Promise<RollupRow[]>;
  /**
   * A read-only query in portable SQL with `?` placeholders (Postgres numbers them). Sum money with
   * `COST_SUM_SQL` (sql.ts) and decode with `costSum`: a plain SUM of pico-USD overflows 64 bits at $9.2 M.
   */
  readQuery(sql: string, params?: ReadonlyArray<string | number | bigint | null>, options?: ReadOptions): Promise<SqlRow[]>;
  /** Every total row of these time zones (tests, verification). */
  allTotals(tzs?: readonly string[]): Promise<TotalRow[]>;
  queryRecords(filter: RecordFilter, limit: number, after?: { time_ms: number; id: string }): Promise<LedgerRow[]>;
  groupRecords(filter: RecordFilter, groupBy: GroupBy, limit: number): Promise<GroupRow[]>;
  countRecords(): Promise<number>;
  hasRecordIds(ids: readonly string[]): Promise<Set<string>>;
  /** Sets new costs on ledger rows (re-pricing). */
  updateCosts(updates: ReadonlyArray<{ id: string; cost_pico: bigint | null; price_id: string | null }>): Promise<void>;
  listEntities<T>(kind: string): Promise<Array<{ id: string; value: T }>>;
  /** One entity, or undefined. */
  getEntity<T>(kind: string, id: string): Promise<T | undefined>;
  putEntity(kind: string, id: string, value: unknown): Promise<void>;
  deleteEntity(kind: string, id: string): Promise<boolean>;
  appendAudit(entry: AuditEntry): Promise<number>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /**
   * Claims `key` until `untilMs` unless a live claim holds it: true for the first claimant only, across
   * replicas on one database (de-duplication of alerts, one scheduled run per tick). Expired claims can be
   * claimed again and are pruned by `pruneClaims`.
   */
  claim(key: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** Deletes claims that expired before `nowMs`; returns how many. */
  pruneClaims(nowMs: number): Promise<number>;
  /** Adds one to a numeric meta value (absent = 0) and answers the new value, atomically across replicas. */
  incrementMeta(key: string): Promise<number>;
  /**
   * Changes made by other processes on the same database: every entity put or delete (kind, id), and
   * whatever they `publish`. Postgres: LISTEN/NOTIFY, with `onResync` after a reconnect (notifications
   * sent while nobody listened are lost: reload everything). SQLite (one process): never called.
   * `listening` settles once the first LISTEN is established or has failed (a failure retries, then resyncs):
   * load after it, and a change another process makes is either in what was loaded or notified.
   */
  watch(listener: (change: StoreChange) => void, onResync: () => void): StoreWatch;
  /** Tells the other processes on this database that `kind`/`id` changed. */
  publish(kind: string, id: string): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  ping(): Promise<void>;
}
