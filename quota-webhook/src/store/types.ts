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

export interface TotalValues {
  requests: number;
  tokens: number;
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
  outcome?: string;
}

export const GROUP_BY = ['investigation', 'session', 'user', 'feature', 'model', 'department', 'org', 'provider', 'day', 'hour'] as const;
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

/** Computes the total deltas of the rows that were actually inserted (called inside the ingest transaction). */
export type DeltaFn = (inserted: readonly LedgerRow[]) => TotalRow[];

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  init(): Promise<void>;
  close(): Promise<void>;
  /** Inserts rows whose id is new and adds `deltas(inserted)` to the running totals, in one durable transaction. */
  ingest(rows: readonly LedgerRow[], deltas: DeltaFn): Promise<{ accepted: number; duplicates: number }>;
  /** Every total row of one window and scope (all orgs and subjects). */
  windowTotals(period: QuotaPeriod, tz: string, windowStart: number, scope: QuotaScope): Promise<TotalRow[]>;
  /** Every total row of the given windows (one query for the whole quota evaluation). */
  windowsTotals(windows: ReadonlyArray<{ period: QuotaPeriod; tz: string; window_start: number }>): Promise<TotalRow[]>;
  /** Replaces the totals of these time zones by `compute(records)` over the whole ledger, in one transaction. */
  rebuildTotals(tzs: readonly string[], compute: (rows: readonly LedgerRow[]) => TotalRow[]): Promise<{ records: number; totals: number }>;
  /** Every total row of these time zones (tests, verification). */
  allTotals(tzs?: readonly string[]): Promise<TotalRow[]>;
  queryRecords(filter: RecordFilter, limit: number, after?: { time_ms: number; id: string }): Promise<LedgerRow[]>;
  groupRecords(filter: RecordFilter, groupBy: GroupBy, limit: number): Promise<GroupRow[]>;
  countRecords(): Promise<number>;
  hasRecordIds(ids: readonly string[]): Promise<Set<string>>;
  /** Sets new costs on ledger rows (re-pricing). */
  updateCosts(updates: ReadonlyArray<{ id: string; cost_pico: bigint | null; price_id: string | null }>): Promise<void>;
  listEntities<T>(kind: string): Promise<Array<{ id: string; value: T }>>;
  putEntity(kind: string, id: string, value: unknown): Promise<void>;
  deleteEntity(kind: string, id: string): Promise<boolean>;
  appendAudit(entry: AuditEntry): Promise<number>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  ping(): Promise<void>;
}
