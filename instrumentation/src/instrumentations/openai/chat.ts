/** `chat.completions.create` (and through it `.parse()`, `.stream()`, `.runTools()`). */
import type { CallInput, CallResult } from '../../core/call.js';
import { fingerprintsEnabled } from '../../fingerprint/fingerprint.js';
import type { Operation, PreparedCall } from '../operation.js';
import type { ChatCompletionBody, ChatCompletionLike } from './internal-types.js';
import { captureChatPrompt } from './fingerprint.js';
import { observeChatStream } from './streaming.js';
import { chatFinishReasons, chatTokens, int, providerOf, setIdentity, str } from './utils.js';

export function chatOperation(includeStreamUsage: () => boolean): Operation {
  return {
    name: 'openai chat.completions.create',
    prepare(resource, raw) {
      if (raw === null || typeof raw !== 'object') return undefined;
      const body = raw as ChatCompletionBody;
      const streaming = body.stream === true;
      const input: CallInput = { provider: providerOf(resource), operation: 'chat', streaming };
      const model = str(body.model);
      if (model !== undefined) input.requestModel = model;
      const tier = str(body.service_tier);
      if (tier !== undefined) input.serviceTier = tier;
      const maxTokens = int(body.max_completion_tokens) ?? int(body.max_tokens);
      if (maxTokens !== undefined) input.maxOutputTokens = maxTokens;
      if (fingerprintsEnabled()) input.prompt = captureChatPrompt(body);
      const inject = streaming && body.stream_options?.include_usage == null && includeStreamUsage();
      if (!inject) return { input, body: raw, injected: false };
      return { input, body: { ...body, stream_options: { ...body.stream_options, include_usage: true } }, injected: true };
    },
    onResult(result, tracker) {
      tracker.end(chatResult(result as ChatCompletionLike | null));
    },
    onStream(stream, tracker, call: PreparedCall) {
      observeChatStream(stream, tracker, call.injected);
    },
  };
}

function chatResult(completion: ChatCompletionLike | null): CallResult {
  const result: CallResult = {};
  if (completion === null || typeof completion !== 'object') return result;
  setIdentity(result, completion);
  if (completion.usage != null) result.tokens = chatTokens(completion.usage);
  const reasons = chatFinishReasons(completion.choices, []);
  if (reasons.length > 0) result.finishReasons = reasons;
  return result;
}

