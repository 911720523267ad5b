/** Message streams: input usage in `message_start`, cumulative usage in each `message_delta`. */
import type { CallResult, CallTracker } from '../../core/call.js';
import { observeStream } from '../../core/stream.js';
import type { IterableStream } from '../../core/stream.js';
import type { MessageStreamEvent } from './internal-types.js';
import { applyUsage, messageResult } from './utils.js';

export function observeMessageStream(stream: IterableStream<unknown>, tracker: CallTracker): void {
  let seen: CallResult = {};
  observeStream(stream, {
    onEvent(raw) {
      const event = raw as MessageStreamEvent | null;
      if (event === null || typeof event !== 'object') return true;
      if (event.type === 'message_start' && event.message != null) {
        seen = messageResult(event.message);
      } else if (event.type === 'message_delta') {
        if (event.usage != null) applyUsage(seen, event.usage);
        if (typeof event.delta?.stop_reason === 'string') seen.finishReasons = [event.delta.stop_reason];
      }
      return true;
    },
    onEnd(error) {
      tracker.end(error === undefined ? seen : { ...seen, error });
    },
  });
}
