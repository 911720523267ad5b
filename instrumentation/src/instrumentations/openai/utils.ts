import type { CallResult } from '../../core/call.js';
import type { TokenUsage } from '../../protocol.js';
import type { ChatCompletionUsage, ResponseLike, ResponseUsage } from './internal-types.js';

/** Supported openai majors, tested at both ends (4.19.0 and the newest 7.x). */
export const OPENAI_SUPPORTED_VERSIONS = ['>=4.19.0 <8'];

export const PROVIDER_OPENAI = 'openai';
export const PROVIDER_AZURE_OPENAI = 'azure.ai.openai';

/** `openai` or `azure.ai.openai`, from the client a resource belongs to. */
export function providerOf(resource: unknown): string {
  const client = (resource as { _client?: { constructor?: { name?: unknown } } } | null)?._client;
  return client?.constructor?.name === 'AzureOpenAI' ? PROVIDER_AZURE_OPENAI : PROVIDER_OPENAI;
}

/** Chat Completions usage → disjoint types: prompt tokens include cached ones, completion tokens include reasoning. */
export function chatTokens(usage: ChatCompletionUsage): Partial<TokenUsage> {
  const cached = num(usage.prompt_tokens_details?.cached_tokens);
  const reasoning = num(usage.completion_tokens_details?.reasoning_tokens);
  return {
    input: Math.max(0, num(usage.prompt_tokens) - cached),
    cache_read: cached,
    output: Math.max(0, num(usage.completion_tokens) - reasoning),
    reasoning,
  };
}

/** Responses API usage → disjoint types (same inclusions as chat, other field names). */
export function responseTokens(usage: ResponseUsage): Partial<TokenUsage> {
  const cached = num(usage.input_tokens_details?.cached_tokens);
  const reasoning = num(usage.output_tokens_details?.reasoning_tokens);
  return {
    input: Math.max(0, num(usage.input_tokens) - cached),
    cache_read: cached,
    output: Math.max(0, num(usage.output_tokens) - reasoning),
    reasoning,
  };
}

/** What a Responses API response object tells about the call. */
export function responseResult(response: ResponseLike): CallResult {
  const result: CallResult = {};
  setIdentity(result, response);
  if (response.usage != null) result.tokens = responseTokens(response.usage);
  const reason = responseFinishReason(response);
  if (reason !== undefined) result.finishReasons = [reason];
  return result;
}

/**
 * Finish reasons of chat choices (or stream chunks' choices), by choice
 * index, merged into `into`: the values the provider sent (`stop`, `length`,
 * `tool_calls`, `content_filter`, …).
 */
export function chatFinishReasons(choices: unknown, into: string[]): string[] {
  if (!Array.isArray(choices)) return into;
  for (const choice of choices as ({ index?: unknown; finish_reason?: unknown } | null)[]) {
    if (choice === null || typeof choice !== 'object' || typeof choice.finish_reason !== 'string') continue;
    const index = typeof choice.index === 'number' && Number.isInteger(choice.index) && choice.index >= 0 && choice.index < 128 ? choice.index : into.length;
    into[index] = choice.finish_reason;
  }
  return into.filter((reason) => typeof reason === 'string');
}

/**
 * The Responses API has a status instead of finish reasons; it is mapped to
 * the Chat Completions vocabulary so both read alike: `completed` → `stop`
 * (`tool_calls` when the output calls a function), `incomplete` because of
 * `max_output_tokens` → `length`, other incomplete reasons as given
 * (`content_filter`), `failed` → `error`; in progress → none.
 */
export function responseFinishReason(response: ResponseLike): string | undefined {
  switch (response.status) {
    case 'completed': {
      const calls = Array.isArray(response.output) && response.output.some((item) => typeof item?.type === 'string' && item.type.endsWith('_call'));
      return calls ? 'tool_calls' : 'stop';
    }
    case 'incomplete': {
      const reason = response.incomplete_details?.reason;
      return reason === 'max_output_tokens' ? 'length' : typeof reason === 'string' ? reason : 'incomplete';
    }
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'cancelled';
    default:
      return undefined;
  }
}

/** Copies `id`, `model` and `service_tier` into `result` where they are strings. */
export function setIdentity(result: CallResult, response: { id?: unknown; model?: unknown; service_tier?: unknown }): void {
  if (typeof response.id === 'string') result.responseId = response.id;
  if (typeof response.model === 'string') result.responseModel = response.model;
  if (typeof response.service_tier === 'string') result.serviceTier = response.service_tier;
}

export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
