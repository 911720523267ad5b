/** `messages.create` (and through it `.stream()` and `.parse()`), also on `beta.messages`. */
import type { CallInput } from '../../core/call.js';
import { fingerprintsEnabled } from '../../fingerprint/fingerprint.js';
import type { Operation } from '../operation.js';
import type { MessageBody, MessageLike } from './internal-types.js';
import { captureMessagesPrompt } from './fingerprint.js';
import { observeMessageStream } from './streaming.js';
import { int, messageResult, PROVIDER_ANTHROPIC, str } from './utils.js';

export function messagesOperation(name: string): Operation {
  return {
    name,
    prepare(_resource, raw) {
      if (raw === null || typeof raw !== 'object') return undefined;
      const body = raw as MessageBody;
      const input: CallInput = { provider: PROVIDER_ANTHROPIC, operation: 'chat', streaming: body.stream === true };
      const model = str(body.model);
      if (model !== undefined) input.requestModel = model;
      const tier = str(body.service_tier);
      if (tier !== undefined) input.serviceTier = tier;
      const maxTokens = int(body.max_tokens);
      if (maxTokens !== undefined) input.maxOutputTokens = maxTokens;
      if (fingerprintsEnabled()) input.prompt = captureMessagesPrompt(body);
      return { input, body: raw, injected: false };
    },
    onResult(result, tracker) {
      tracker.end(result !== null && typeof result === 'object' ? messageResult(result as MessageLike) : {});
    },
    onStream(stream, tracker) {
      observeMessageStream(stream, tracker);
    },
  };
}
