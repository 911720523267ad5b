import type { CallResult } from '../../core/call.js';
import type { MessageLike, MessageUsage } from './internal-types.js';

/** Supported @anthropic-ai/sdk majors (tested with 0.137 and the newest 1.x). */
export const ANTHROPIC_SUPPORTED_VERSIONS = ['>=0.20.0 <2'];

export const PROVIDER_ANTHROPIC = 'anthropic';

/** Anthropic usage is already disjoint: `input_tokens` excludes cache reads and writes. */
export function applyUsage(result: CallResult, usage: MessageUsage): void {
  const tokens = { ...result.tokens };
  if (isCount(usage.input_tokens)) tokens.input = usage.input_tokens;
  if (isCount(usage.output_tokens)) tokens.output = usage.output_tokens;
  if (isCount(usage.cache_read_input_tokens)) tokens.cache_read = usage.cache_read_input_tokens;
  if (isCount(usage.cache_creation_input_tokens)) tokens.cache_write = usage.cache_creation_input_tokens;
  result.tokens = tokens;
  const oneHour = usage.cache_creation?.ephemeral_1h_input_tokens;
  if (isCount(oneHour)) result.cacheWrite1hTokens = oneHour;
  if (typeof usage.service_tier === 'string') result.serviceTier = usage.service_tier;
}

/** What a complete message tells about the call. */
export function messageResult(message: MessageLike): CallResult {
  const result: CallResult = {};
  if (typeof message.id === 'string') result.responseId = message.id;
  if (typeof message.model === 'string') result.responseModel = message.model;
  if (message.usage != null) applyUsage(result, message.usage);
  if (typeof message.stop_reason === 'string') result.finishReasons = [message.stop_reason];
  return result;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
