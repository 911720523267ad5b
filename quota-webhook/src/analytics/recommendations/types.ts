/**
 * Shapes of the recommendation engine: the ledger aggregates each detector
 * reads (over the evidence window: SQL GROUP BYs, or one scan on SQLite) and the
 * recommendations they produce.
 */
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { TokenSums } from './rates.js';

export const RECOMMENDATION_TYPES = ['model_selection', 'prompt_caching', 'batching', 'prompt_efficiency', 'failed_spend'] as const;
export type RecommendationType = (typeof RECOMMENDATION_TYPES)[number];

export const LEVELS = ['low', 'medium', 'high'] as const;
export type Level = (typeof LEVELS)[number];

/** What a recommendation is about: the traffic of one feature (or service) on one model, within one org. */
export interface SubjectKey {
  org: string | null;
  feature: string | null;
  service: string | null;
  provider: string;
  model: string;
}

/** Per subject: requests, tokens, errors, tool calls and finish reasons over the window. */
export interface SubjectStats extends SubjectKey, TokenSums {
  requests: number;
  /** Records that carry a finish reason (a prompt fingerprint). */
  withFinish: number;
  /** Records that ended in a tool call (`tool_calls`, `tool_use`, `function_call`). */
  toolCalls: number;
  errors: number;
  /** Tokens billed on calls with outcome `error`. */
  errorTokens: TokenSums;
  /** The most frequent `error_type` of those calls, if any. */
  topErrorType?: string | null;
}

/** Per subject and prompt prefix (`fingerprint.prefix_hash`) seen at least twice. */
export interface PrefixStats extends SubjectKey {
  prefixHash: string;
  requests: number;
  /** Distinct 5-minute and 1-hour UTC buckets the prefix was sent in: the cold starts of a 5-minute / 1-hour cache. */
  windows5m: number;
  windows1h: number;
  /** Σ fingerprint.prefix_tokens. */
  prefixTokens: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Per subject: calls that repeated an earlier identical request (same `request_hash`, same UTC day). */
export interface DuplicateStats extends SubjectKey {
  duplicates: number;
  /** Distinct requests that were repeated. */
  repeatedRequests: number;
  /** Tokens of the repeats (all but the first of each). */
  tokens: TokenSums;
}

/** Per subject: calls cut by the output limit and then retried (another call with the same prefix within 5 minutes). */
export interface TruncationStats extends SubjectKey {
  truncated: number;
  /** Truncated calls followed by a retry: their tokens were paid for nothing. */
  wasted: number;
  tokens: TokenSums;
  /** Mean requested output cap of the truncated calls, when known. */
  meanMaxOutputTokens: number | null;
}

/** Per subject and UTC hour of day: traffic split by whether it looks interactive (a user, or streamed). */
export interface HourStats extends SubjectKey, TokenSums {
  hourUtc: number;
  interactive: boolean;
  requests: number;
}

export interface DetectorContext {
  catalog: PriceCatalog;
  /** Rates are taken at this instant (recommendations are about the spend to come). */
  asOfMs: number;
  fromMs: number;
  toMs: number;
  /** Local hour of day (0–23) of a UTC hour of day, in the request's time zone. */
  localHour(hourUtc: number): number;
  /** Features an admin marked batchable. */
  batchable: ReadonlySet<string>;
}

export interface RecommendationSubject extends SubjectKey {
  /** What `name` names: the feature, else the service, else the model. */
  scope: 'feature' | 'service' | 'model';
  name: string;
}

export interface Recommendation {
  /** Stable across requests while the subject is the same (dismissals refer to it). */
  id: string;
  type: RecommendationType;
  /** The finding within the type (`enable_caching`, `duplicate_requests`, …). */
  kind: string;
  title: string;
  /** What to change. */
  action: string;
  subject: RecommendationSubject;
  /** The numbers the recommendation rests on (token counts, requests, rates, period). */
  evidence: Record<string, unknown>;
  /** Savings over the evidence window, pico-USD. */
  windowSavingsPico: bigint;
  /** The same per month (window savings × average month / window length), pico-USD. */
  monthlySavingsPico: bigint;
  difficulty: Level;
  difficultyReason: string;
  confidence: Level;
  confidenceReason: string;
}

/** Everything the detectors read from the ledger over one evidence window. */
export interface DetectorAggregates {
  subjects: SubjectStats[];
  hours: HourStats[];
  prefixes: PrefixStats[];
  duplicates: DuplicateStats[];
  truncation: TruncationStats[];
}
