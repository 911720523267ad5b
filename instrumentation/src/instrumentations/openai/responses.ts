/** `responses.create` (and through it `.parse()` and `.stream()`). */
import type { CallInput } from '../../core/call.js';
import { fingerprintsEnabled } from '../../fingerprint/fingerprint.js';
import type { Operation } from '../operation.js';
import type { ResponseBody, ResponseLike } from './internal-types.js';
import { captureResponsesPrompt } from './fingerprint.js';
import { observeResponseStream } from './streaming.js';
import { int, providerOf, responseResult, str } from './utils.js';

export function responsesOperation(): Operation {
  return {
    name: 'openai responses.create',
    prepare(resource, raw) {
      if (raw === null || typeof raw !== 'object') return undefined;
      const body = raw as ResponseBody;
      const input: CallInput = { provider: providerOf(resource), operation: 'chat', streaming: body.stream === true };
      const model = str(body.model);
      if (model !== undefined) input.requestModel = model;
      const tier = str(body.service_tier);
      if (tier !== undefined) input.serviceTier = tier;
      const maxTokens = int(body.max_output_tokens);
      if (maxTokens !== undefined) input.maxOutputTokens = maxTokens;
      if (fingerprintsEnabled()) input.prompt = captureResponsesPrompt(body);
      return { input, body: raw, injected: false };
    },
    onResult(result, tracker) {
      tracker.end(result !== null && typeof result === 'object' ? responseResult(result as ResponseLike) : {});
    },
    onStream(stream, tracker) {
      observeResponseStream(stream, tracker);
    },
  };
}
