/**
 * Wire shapes shared by the SDK, the collector-processor and the control plane
 * (docs/architecture.md, "Wire shapes"). JSON on the wire is snake_case.
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
  /** A project within a department (`tokenmeter.project`). */
  project?: string;
}

/**
 * What the SDK can say about a prompt without sending it: keyed hashes
 * (HMAC-SHA-256 with a per-installation key, first 128 bits, hex) of the
 * stable prefix (system prompt, tools, first messages) and of the whole
 * request, the prefix's estimated size, the requested output cap and the
 * finish reason. Lets the ledger see repeated prefixes (caching) and
 * duplicate requests; never carries prompt text.
 */
export interface PromptFingerprint {
  /** Keyed hash of the stable prefix; equal prefixes → equal hashes within one installation. */
  prefix_hash: string;
  /** Keyed hash of the whole request (model, parameters, every message). */
  request_hash: string;
  /** Estimated tokens of the prefix: the call's input tokens × the prefix's share of the prompt bytes. */
  prefix_tokens: number;
  /** Requested output cap (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
  max_output_tokens?: number;
  /** Why the output ended (`stop`, `length`, `tool_calls`, `end_turn`, `max_tokens`, …). */
  finish_reason?: string;
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
  project?: string;
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
  /** Whether the response was streamed (interactive traffic usually is). */
  stream?: boolean;
  /** Absent when fingerprints are off (`TOKENMETER_PROMPT_FINGERPRINT=off`) or the sender cannot see the prompt. */
  fingerprint?: PromptFingerprint;
}

/** A batch as posted to `POST /api/v1/usage`. */
export interface UsageBatch {
  records: UsageRecord[];
}

/** One record the ledger refused, by its index in the batch (like OTLP partial success). */
export interface RejectedRecord {
  index: number;
  id?: string;
  /** Stable machine code, e.g. `invalid_record`, `implausible`. */
  code: string;
  /** What is wrong, naming the field. */
  message: string;
}

/**
 * Answer of `POST /api/v1/usage` (200): every record is judged on its own.
 * Rejected records will never be accepted as they are: senders drop them
 * (counted, logged once) instead of retrying; the rest of the batch is durable.
 */
export interface UsageIngestResponse {
  accepted: number;
  duplicates: number;
  unpriced: number;
  rejected: RejectedRecord[];
}

/**
 * Bounds of a plausible record, checked at every door (SDK, collector, API):
 * beyond them a value is a bug or an attack, never a real call.
 */
export const USAGE_LIMITS = {
  /** Tokens of one type in one call (no model's context comes near 10⁸). */
  maxTokensPerType: 100_000_000,
  /** Earliest call time accepted (no LLM API billed before). */
  minTimeMillis: Date.UTC(2000, 0, 1),
  /** How far a call's time may lie ahead of the receiver's clock (clock skew). */
  maxFutureMillis: 3_600_000,
  /** Longest call, in ms (a day). */
  maxLatencyMillis: 86_400_000,
  /** Longest `fingerprint.finish_reason` (characters). */
  maxFinishReasonChars: 64,
} as const;

/** A `PromptFingerprint` hash as the ledger takes it: 8–64 lower-case hex digits (the SDK writes 32). */
export const PROMPT_HASH_PATTERN = /^[0-9a-f]{8,64}$/;

/**
 * Why a record is implausible, or `undefined` when it is plausible. `nowMs` is
 * the receiver's clock. Checks tokens, time (a real calendar instant, not
 * before `minTimeMillis`, not beyond `maxFutureMillis` ahead) and latency.
 */
export function implausibility(r: { time: string; tokens: Partial<Record<string, number | undefined>>; latency_ms: number }, nowMs: number): string | undefined {
  for (const [type, n] of Object.entries(r.tokens)) {
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return `tokens.${type}: must be a non-negative integer`;
    if (n > USAGE_LIMITS.maxTokensPerType) return `tokens.${type}: ${n} tokens in one call is beyond any model's context (at most ${USAGE_LIMITS.maxTokensPerType})`;
  }
  const t = parseRfc3339(r.time);
  if (t === undefined) return `time: "${r.time}" is not a real RFC 3339 instant`;
  if (t < USAGE_LIMITS.minTimeMillis) return `time: ${r.time} is before ${new Date(USAGE_LIMITS.minTimeMillis).toISOString()}`;
  if (t > nowMs + USAGE_LIMITS.maxFutureMillis) return `time: ${r.time} is more than ${USAGE_LIMITS.maxFutureMillis / 60_000} minutes in the future`;
  if (!(r.latency_ms >= 0 && r.latency_ms <= USAGE_LIMITS.maxLatencyMillis)) return `latency_ms: must be from 0 to ${USAGE_LIMITS.maxLatencyMillis}`;
  return undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Epoch ms of an RFC 3339 date-time, or `undefined` when it is malformed or
 * names no real instant (February 30, hour 24, minute 60): `Date.parse` rolls
 * such dates over instead of refusing them.
 */
export function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  const zone = m[8]!.toUpperCase();
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
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
