/**
 * The prompt fingerprint our SDK puts on its spans (`tokenmeter.prompt.*`),
 * read back for the ledger record, which the caching recommendations read.
 * Only a well-formed one is kept: the control plane refuses a record whose
 * fingerprint is malformed, and a span's cost must not be lost for it.
 */
import { PROMPT_HASH_PATTERN, USAGE_LIMITS, type PromptFingerprint } from '@tokenmeter/instrumentation/protocol';
import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_TOKENMETER_PROMPT_PREFIX_HASH,
  ATTR_TOKENMETER_PROMPT_PREFIX_TOKENS,
  ATTR_TOKENMETER_PROMPT_REQUEST_HASH,
} from '@tokenmeter/instrumentation/semconv';
import type { Attrs } from './model.js';

/** The span's fingerprint, or undefined when it carries none or a malformed one. */
export function fingerprintOf(attrs: Attrs): PromptFingerprint | undefined {
  const prefixHash = attrs[ATTR_TOKENMETER_PROMPT_PREFIX_HASH];
  const requestHash = attrs[ATTR_TOKENMETER_PROMPT_REQUEST_HASH];
  const prefixTokens = attrs[ATTR_TOKENMETER_PROMPT_PREFIX_TOKENS];
  if (typeof prefixHash !== 'string' || !PROMPT_HASH_PATTERN.test(prefixHash) || typeof requestHash !== 'string' || !PROMPT_HASH_PATTERN.test(requestHash)) return undefined;
  if (!isCount(prefixTokens, 0)) return undefined;
  const fingerprint: PromptFingerprint = { prefix_hash: prefixHash, request_hash: requestHash, prefix_tokens: prefixTokens };
  const maxTokens = attrs[ATTR_GEN_AI_REQUEST_MAX_TOKENS];
  if (isCount(maxTokens, 1)) fingerprint.max_output_tokens = maxTokens;
  const finishReason = firstFinishReason(attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS]);
  if (finishReason !== undefined) fingerprint.finish_reason = finishReason;
  return fingerprint;
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= USAGE_LIMITS.maxTokensPerType;
}

/** The first of a string array, which the decoders keep as its JSON text (`["stop"]`). */
function firstFinishReason(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  return typeof first === 'string' && first !== '' ? first.slice(0, USAGE_LIMITS.maxFinishReasonChars) : undefined;
}
