/**
 * Where each fact about a GenAI call is found in the conventions that exist
 * in the wild, in order of preference (the first present wins). The
 * normalisation table in README.md is this file.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_SESSION_ID,
  ATTR_TOKENMETER_DEPARTMENT,
  ATTR_TOKENMETER_FEATURE,
  ATTR_TOKENMETER_INVESTIGATION,
  ATTR_TOKENMETER_ORG,
  ATTR_USER_ID,
} from '@tokenmeter/instrumentation/semconv';

/** Provider: semconv ≥ 1.37, then the older `gen_ai.system` (OpenLLMetry, OpenLIT, contrib ≤ 0.2x), then OpenLLMetry's oldest. */
export const PROVIDER_KEYS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM, 'llm.vendor'] as const;
/** Operation: semconv, then OpenLLMetry's `llm.request.type`. */
export const OPERATION_KEYS = [ATTR_GEN_AI_OPERATION_NAME, 'llm.request.type'] as const;
export const REQUEST_MODEL_KEYS = [ATTR_GEN_AI_REQUEST_MODEL, 'llm.request.model'] as const;
export const RESPONSE_MODEL_KEYS = [ATTR_GEN_AI_RESPONSE_MODEL, 'llm.response.model'] as const;

/** Input tokens (semconv: includes cache reads and writes; OpenAI `prompt_tokens` includes cached). */
export const INPUT_KEYS = [ATTR_GEN_AI_USAGE_INPUT_TOKENS, 'gen_ai.usage.prompt_tokens', 'llm.usage.prompt_tokens'] as const;
/** Output tokens (semconv and every provider: includes reasoning). */
export const OUTPUT_KEYS = [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, 'gen_ai.usage.completion_tokens', 'llm.usage.completion_tokens'] as const;
/** Cache reads, new (semconv 1.37+) then old (OpenLLMetry ≤ 0.2x, OpenLIT) names. */
export const CACHE_READ_KEYS = [
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  'gen_ai.usage.cache_read_input_tokens',
  'llm.usage.cache_read_input_tokens',
  'gen_ai.usage.prompt_tokens_details.cache_read',
] as const;
/** Cache writes: semconv `cache_write`, its predecessor `cache_creation`, and the old underscore forms. */
export const CACHE_WRITE_KEYS = [
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.usage.cache_creation_input_tokens',
  'gen_ai.usage.prompt_tokens_details.cache_write',
] as const;
/** The old-style cache keys: OpenLLMetry/OpenLIT copy the provider's raw usage next to them. */
export const OLD_CACHE_KEYS = new Set<string>(['gen_ai.usage.cache_read_input_tokens', 'llm.usage.cache_read_input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.usage.cache_creation_input_tokens']);
/** Reasoning tokens: semconv, then OpenLLMetry/OpenLIT. */
export const REASONING_KEYS = [ATTR_GEN_AI_USAGE_REASONING_TOKENS, 'gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens', 'gen_ai.usage.completion_tokens_details.reasoning'] as const;
/** Of the cache writes, those with the 1-hour lifetime (Anthropic SDK native tracing). */
export const CACHE_WRITE_1H_KEYS = ['anthropic.usage.cache_creation.ephemeral_1h_input_tokens'] as const;
export const SERVICE_TIER_KEYS = ['openai.response.service_tier', ATTR_OPENAI_REQUEST_SERVICE_TIER, 'anthropic.response.service_tier', 'anthropic.request.service_tier'] as const;

/** Attribution: span first, then resource. OpenLLMetry's association properties as a fallback. */
export const ORG_KEYS = [ATTR_TOKENMETER_ORG] as const;
export const DEPARTMENT_KEYS = [ATTR_TOKENMETER_DEPARTMENT] as const;
export const FEATURE_KEYS = [ATTR_TOKENMETER_FEATURE, 'traceloop.association.properties.feature'] as const;
export const USER_KEYS = [ATTR_USER_ID, 'enduser.id', 'traceloop.association.properties.user_id'] as const;
export const SESSION_KEYS = [ATTR_SESSION_ID, 'traceloop.association.properties.session_id'] as const;
export const INVESTIGATION_KEYS = [ATTR_TOKENMETER_INVESTIGATION] as const;
export const ERROR_TYPE_KEYS = [ATTR_ERROR_TYPE] as const;

/** Operations that are not model calls: agents and tools aggregate or wrap the calls under them. */
export const NON_CALL_OPERATIONS = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'workflow', 'task', 'agent', 'tool']);

/** Provider values as written by older instrumentations → semconv names. */
export const PROVIDER_ALIASES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'az.ai.openai': 'azure.ai.openai',
  azure: 'azure.ai.openai',
  vertexai: 'gcp.vertex_ai',
  vertex_ai: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  google: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  aws_bedrock: 'aws.bedrock',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
  cohere: 'cohere',
  groq: 'groq',
};
