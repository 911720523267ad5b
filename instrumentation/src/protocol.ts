/**
 * Wire shapes shared by the SDK, the collector-processor and the control plane
 * (DESIGN.md, "Control plane contracts"). JSON on the wire is snake_case.
 * Money is exact: `cost_usd` is a decimal string (up to 12 fractional digits,
 * i.e. whole pico-USD), never a float; `null` means the model had no price.
 */
import type { Outcome, TokenType } from './semconv.js';

/** Tokens of one call by type. The types are disjoint: they sum to the billed total. */
export type TokenUsage = Record<TokenType, number>;

/** Who a call is attributed to. A missing value is absent, never `''`. */
export interface Attribution {
  org?: string;
  department?: string;
  user?: string;
  feature?: string;
  investigation?: string;
  session?: string;
}

/** One LLM call in the ledger. `id` is unique per call: ingest is idempotent on it. */
export interface UsageRecord {
  /** Span id or a client-generated unique id; replays carry the same id. */
  id: string;
  /** When the call started, RFC 3339. A late record counts in the window of this time. */
  time: string;
  org?: string;
  department?: string;
  user?: string;
  feature?: string;
  investigation?: string;
  session?: string;
  /** `gen_ai.provider.name`, e.g. `openai`. */
  provider: string;
  /** `gen_ai.operation.name`, e.g. `chat`. */
  operation: string;
  request_model?: string;
  response_model?: string;
  /** Provider service tier when known (`batch`, `flex`, `priority`, `default`). */
  service_tier?: string;
  tokens: TokenUsage;
  /** Cost the sender computed, exact decimal USD; `null` when unpriced. The ledger re-prices with its own table. */
  cost_usd: string | null;
  price_id?: string | null;
  outcome: Outcome;
  error_type?: string;
  latency_ms: number;
  /** Who produced the record: `sdk`, `collector`, … */
  source: string;
  /** `service.name` of the emitting service. */
  service?: string;
}

/** A batch as posted to `POST /api/v1/usage`. */
export interface UsageBatch {
  records: UsageRecord[];
}

/** Scopes a quota, budget or block applies to. */
export const QUOTA_SCOPES = ['org', 'department', 'user', 'feature', 'provider'] as const;
export type QuotaScope = (typeof QUOTA_SCOPES)[number];

/** What a quota counts. */
export const QUOTA_METRICS = ['cost', 'tokens', 'requests'] as const;
export type QuotaMetric = (typeof QUOTA_METRICS)[number];

/** Calendar periods, reset at the boundary in the quota's time zone. */
export const QUOTA_PERIODS = ['hour', 'day', 'week', 'month'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** A subject currently refused: every call attributed to it fails (or falls back). */
export interface EnforcementBlock {
  id: string;
  scope: QuotaScope;
  /** The concrete subject (an org, department, user, feature or provider name). */
  subject: string;
  /** Why: `quota` (a hard quota at 100 %), `alert` (an operator's rule), `manual`. */
  reason: 'quota' | 'alert' | 'manual';
  quota_id?: string;
  metric?: QuotaMetric;
  /** Limit and usage in the quota's unit (USD for cost). */
  limit?: number;
  usage?: number;
  /** When the block lifts by itself (the quota's next period), RFC 3339. */
  reset_at?: string;
  /** RFC 3339 time the block began. */
  since: string;
  message?: string;
  /**
   * Department and org blocks: the users the control plane's directory places
   * in the subject. A call that carries one of these users and no value of
   * the block's scope is refused too (the ledger counts it towards the
   * subject by the same directory).
   */
  members?: string[];
}

/** Hourly and daily limits of one provider for one organisation; absent = unlimited. */
export interface ProviderLimits {
  hourly_requests?: number;
  daily_requests?: number;
  hourly_tokens?: number;
  daily_tokens?: number;
}

/** Exact usage of a provider by an organisation in the current hour and day. */
export interface ProviderUsage {
  hour_start: string;
  hour_requests: number;
  hour_tokens: number;
  day_start: string;
  day_requests: number;
  day_tokens: number;
}

/** A provider's settings for one organisation (`org` `*` = the default for every org). */
export interface ProviderState {
  org: string;
  provider: string;
  enabled: boolean;
  /** Lower number = tried first. */
  priority: number;
  limits: ProviderLimits;
  usage: ProviderUsage;
}

/**
 * What the SDK enforces, as served by `GET /api/v1/enforcement` (ETag = revision)
 * and as each `state` event of `GET /api/v1/enforcement/stream` (SSE, full snapshot).
 */
export interface EnforcementState {
  /** Increases with every change. */
  revision: number;
  generated_at: string;
  blocks: EnforcementBlock[];
  providers: ProviderState[];
}
