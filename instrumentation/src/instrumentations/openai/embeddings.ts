/** `embeddings.create`: input tokens only. */
import type { CallInput, CallResult } from '../../core/call.js';
import type { Operation } from '../operation.js';
import type { EmbeddingBody, EmbeddingResponseLike } from './internal-types.js';
import { num, providerOf, str } from './utils.js';

export function embeddingsOperation(): Operation {
  return {
    name: 'openai embeddings.create',
    prepare(resource, raw) {
      if (raw === null || typeof raw !== 'object') return undefined;
      const input: CallInput = { provider: providerOf(resource), operation: 'embeddings', streaming: false };
      const model = str((raw as EmbeddingBody).model);
      if (model !== undefined) input.requestModel = model;
      return { input, body: raw, injected: false };
    },
    onResult(raw, tracker) {
      const result: CallResult = {};
      const response = raw as EmbeddingResponseLike | null;
      if (response !== null && typeof response === 'object') {
        if (typeof response.model === 'string') result.responseModel = response.model;
        if (response.usage != null) result.tokens = { input: num(response.usage.prompt_tokens) };
      }
      tracker.end(result);
    },
    onStream(_stream, tracker) {
      tracker.end();
    },
  };
}
