/** Streams of chat completion chunks and of Responses API events. */
import type { CallResult, CallTracker } from '../../core/call.js';
import { observeStream } from '../../core/stream.js';
import type { IterableStream } from '../../core/stream.js';
import type { ChatCompletionLike, ResponseStreamEvent } from './internal-types.js';
import { chatFinishReasons, chatTokens, responseResult, setIdentity } from './utils.js';

/**
 * Usage arrives in the last chunk (with `include_usage`). When we asked for it,
 * that usage-only chunk (no choices) is hidden, so the caller sees what it asked for.
 */
export function observeChatStream(stream: IterableStream<unknown>, tracker: CallTracker, injectedUsage: boolean): void {
  const seen: CallResult = {};
  const reasons: string[] = [];
  observeStream(stream, {
    onEvent(event) {
      const chunk = event as ChatCompletionLike | null;
      if (chunk === null || typeof chunk !== 'object') return true;
      if (seen.responseId === undefined) setIdentity(seen, chunk);
      if (Array.isArray(chunk.choices) && chunk.choices.length > 0) {
        const known = chatFinishReasons(chunk.choices, reasons);
        if (known.length > 0) seen.finishReasons = known;
      }
      if (chunk.usage == null) return true;
      seen.tokens = chatTokens(chunk.usage);
      return !(injectedUsage && Array.isArray(chunk.choices) && chunk.choices.length === 0);
    },
    onEnd(error) {
      tracker.end(error === undefined ? seen : { ...seen, error });
    },
  });
}

/** The terminal events (`response.completed`, `.incomplete`, `.failed`) carry the full response with usage. */
export function observeResponseStream(stream: IterableStream<unknown>, tracker: CallTracker): void {
  let seen: CallResult = {};
  observeStream(stream, {
    onEvent(event) {
      const response = (event as ResponseStreamEvent | null)?.response;
      if (response === undefined || response === null || typeof response !== 'object') return true;
      const type = (event as ResponseStreamEvent).type;
      if (type === 'response.completed' || type === 'response.incomplete') {
        seen = responseResult(response);
      } else if (type === 'response.failed') {
        seen = { ...responseResult(response), errorType: 'response.failed' };
      } else if (seen.responseId === undefined) {
        setIdentity(seen, response);
      }
      return true;
    },
    onEnd(error) {
      tracker.end(error === undefined ? seen : { ...seen, error });
    },
  });
}
