/**
 * The names that cross tokenmeter's parts: metric names, attribute keys and
 * their Prometheus label forms (docs/architecture.md, "Metrics and labels").
 * Stable GenAI names mirror OpenTelemetry semantic conventions v1.41; ours
 * live in the `tokenmeter.*` namespace. Change one only everywhere at once.
 */

// --- GenAI semantic conventions (v1.41) -----------------------------------

/** Provider of the model, e.g. `openai`, `anthropic`. */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Older name of the provider attribute, still emitted by many instrumentations. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** Operation: `chat`, `embeddings`, `text_completion`, `generate_content`, … */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** Model named in the request. */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
/** Model that served the response. */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
/** Output cap the request asked for (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
/** Why the model stopped, one entry per choice (string array; the provider's own values). */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Response id from the provider. */
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
/** Token type on token metrics: `input` or `output` (semconv); ours adds more. */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
/** Input tokens of a call (semconv: includes cached input). */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** Output tokens of a call (semconv: includes reasoning). */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Input tokens read from the provider's prompt cache. */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Input tokens written to the provider's prompt cache. */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** Older name for cache writes (`cache_creation`). */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Reasoning tokens (part of output for OpenAI). */
export const ATTR_GEN_AI_USAGE_REASONING_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** OpenAI-style service tier (`default`, `flex`, `priority`, `batch`). */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
/** Low-cardinality error class: the error's class name or status code. */
export const ATTR_ERROR_TYPE = 'error.type';
/** End user id. Bounded on metrics by a cardinality view. */
export const ATTR_USER_ID = 'user.id';
/** Session id: spans and ledger only. */
export const ATTR_SESSION_ID = 'session.id';

/** semconv histogram of tokens per call, by `gen_ai.token.type`. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
/** semconv histogram of call duration in seconds. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
/** Newer (gen_ai_latest_experimental) input-token counter. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT = 'gen_ai.client.inference.usage.input_tokens';
/** Newer (gen_ai_latest_experimental) output-token counter. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT = 'gen_ai.client.inference.usage.output_tokens';
/** Newer (gen_ai_latest_experimental) duration histogram. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_DURATION = 'gen_ai.client.inference.duration';

/** Bucket boundaries of `gen_ai.client.token.usage` (semconv advice). */
export const TOKEN_USAGE_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** Bucket boundaries of `gen_ai.client.operation.duration` in seconds (semconv advice). */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

// --- tokenmeter ------------------------------------------------------------

/** Organisation the call is billed to. */
export const ATTR_TOKENMETER_ORG = 'tokenmeter.org';
/** Department within the organisation. */
export const ATTR_TOKENMETER_DEPARTMENT = 'tokenmeter.department';
/** Product feature that made the call. */
export const ATTR_TOKENMETER_FEATURE = 'tokenmeter.feature';
/** Project within a department (bounded like features; on metrics). */
export const ATTR_TOKENMETER_PROJECT = 'tokenmeter.project';
/** Investigation (an incident, a research thread): spans and ledger only. */
export const ATTR_TOKENMETER_INVESTIGATION = 'tokenmeter.investigation';
/** Outcome of a call: `ok`, `error`, `blocked`, `fallback`. */
export const ATTR_TOKENMETER_OUTCOME = 'tokenmeter.outcome';
/** Cost of one call in USD (span attribute; float, for display). */
export const ATTR_TOKENMETER_COST_USD = 'tokenmeter.cost.usd';
/** Id of the price entry that priced the call (span attribute). */
export const ATTR_TOKENMETER_PRICE_ID = 'tokenmeter.price.id';
/** Keyed hash of the prompt's stable prefix (span attribute; see `PromptFingerprint`). */
export const ATTR_TOKENMETER_PROMPT_PREFIX_HASH = 'tokenmeter.prompt.prefix_hash';
/** Keyed hash of the whole request (span attribute). */
export const ATTR_TOKENMETER_PROMPT_REQUEST_HASH = 'tokenmeter.prompt.request_hash';
/** Estimated tokens of the prompt's stable prefix (span attribute). */
export const ATTR_TOKENMETER_PROMPT_PREFIX_TOKENS = 'tokenmeter.prompt.prefix_tokens';
/** Whether the call's model had no price (span attribute). */
export const ATTR_TOKENMETER_UNPRICED = 'tokenmeter.unpriced';

/** Counter of tokens by `gen_ai.token.type` (input|output|cache_read|cache_write|reasoning). */
export const METRIC_TOKENMETER_TOKENS = 'tokenmeter.tokens';
/** Counter of cost in USD. */
export const METRIC_TOKENMETER_COST = 'tokenmeter.cost';
/** Counter of requests by outcome and error type. */
export const METRIC_TOKENMETER_REQUESTS = 'tokenmeter.requests';
/** Counter of calls whose model had no price. */
export const METRIC_TOKENMETER_UNPRICED = 'tokenmeter.unpriced';

/** Token types of our counters; disjoint, so they sum to the billed total. */
export const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Call outcomes on `tokenmeter.outcome`. */
export const OUTCOMES = ['ok', 'error', 'blocked', 'fallback'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Prometheus name of an OTel attribute key, as the JS Prometheus exporter and
 * the collector's exporter write it (dots and other invalid characters → `_`).
 */
export function toPrometheusLabel(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * A label value escaped for the Prometheus text exposition format: backslash,
 * double quote and line feed become `\\`, `\"` and `\n` (the only escapes the
 * format defines). Returns the value itself when nothing needs escaping.
 */
export function escapePrometheusLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** Prometheus metric names (after the exporter adds `_total` to counters). */
export const PROM = {
  tokens: 'tokenmeter_tokens_total',
  cost: 'tokenmeter_cost_total',
  requests: 'tokenmeter_requests_total',
  unpriced: 'tokenmeter_unpriced_total',
  tokenUsage: 'gen_ai_client_token_usage',
  operationDuration: 'gen_ai_client_operation_duration',
  quotaLimit: 'tokenmeter_quota_limit',
  quotaUsage: 'tokenmeter_quota_usage',
  quotaUtilization: 'tokenmeter_quota_utilization',
  quotaThreshold: 'tokenmeter_quota_threshold',
  // Exact ledger figures from the control plane (gauges; labels `period, timezone, scope, subject`).
  /** Cost in USD of the current period window (exact decimal from the ledger). */
  periodCost: 'tokenmeter_period_cost_usd',
  /** Calls in the current period window. */
  periodRequests: 'tokenmeter_period_requests',
  /** Tokens (all types) in the current period window. */
  periodTokens: 'tokenmeter_period_tokens',
  /** Calls without a price in the current period window. */
  periodUnpriced: 'tokenmeter_period_unpriced_requests',
  /** Projected month-end cost in USD (labels `timezone, scope, subject, method`). */
  projectedMonthEndCost: 'tokenmeter_projected_month_end_cost_usd',
  /** Lower bound of the 80 % interval of the projected month-end cost (`method="forecast"` only; same labels). */
  projectedMonthEndCostLower80: 'tokenmeter_projected_month_end_cost_lower_80_usd',
  /** Upper bound of the 80 % interval of the projected month-end cost (`method="forecast"` only; same labels). */
  projectedMonthEndCostUpper80: 'tokenmeter_projected_month_end_cost_upper_80_usd',
  /** Info metric `{user_id, tokenmeter_department, tokenmeter_org} 1` per directory entry, for `group_left` joins. */
  directoryInfo: 'tokenmeter_directory_info',
  // Provider settings per org (labels `tokenmeter_org, gen_ai_provider_name`, + `period, metric` on limit and usage).
  providerLimit: 'tokenmeter_provider_limit',
  providerUsage: 'tokenmeter_provider_usage',
  providerEnabled: 'tokenmeter_provider_enabled',
  providerPriority: 'tokenmeter_provider_priority',
} as const;
