/** A routed stream once a provider committed: its first event already read, the rest handed to the caller. */
import type { AdapterStreamEvent } from './adapters/types.js';
import type { RouterClock } from './clock.js';
import type { RouterEntry } from './providers.js';
import type { Attempt, ChatDelta, ChatResult, ChatStream } from './types.js';

export class StreamHolder {
  private _attempts: Attempt[] = [];
  private _attempt: Attempt | undefined;

  constructor(
    private readonly _entry: RouterEntry,
    private readonly _model: string,
    private readonly _iterator: AsyncIterator<AdapterStreamEvent>,
    private readonly _first: IteratorResult<AdapterStreamEvent>,
    private readonly _clock: RouterClock,
  ) {}

  /** The routed call's attempts, and this provider's own, completed as the stream ends. */
  bind(attempts: Attempt[], attempt: Attempt): void {
    this._attempts = attempts;
    this._attempt = attempt;
  }

  stream(): ChatStream {
    const entry = this._entry;
    const attempts = this._attempts;
    const attempt = this._attempt;
    const iterator = this._iterator;
    let first: IteratorResult<AdapterStreamEvent> | undefined = this._first;
    let resolveResult!: (result: ChatResult) => void;
    let rejectResult!: (error: unknown) => void;
    const result = new Promise<ChatResult>((resolve, reject) => {
      resolveResult = resolve;
      rejectResult = reject;
    });
    result.catch(() => undefined); // observed through iteration; avoid an unhandled rejection when only iterating
    let text = '';
    let iterated = false;
    const model = this._model;
    const clock = this._clock;
    async function* deltas(): AsyncGenerator<ChatDelta> {
      try {
        for (;;) {
          const next = first ?? (await iterator.next());
          first = undefined;
          if (next.done === true) break;
          const event = next.value;
          if (event.type === 'delta') {
            text += event.text;
            yield { text: event.text };
          } else {
            if (attempt !== undefined) attempt.usage ??= event.usage;
            resolveResult({ provider: entry.config.name, model: event.model, text, usage: event.usage, finishReason: event.finishReason, attempts });
          }
        }
        rejectResult(new Error('tokenmeter: the provider stream ended without its final event'));
      } catch (error) {
        entry.health.failure(clock.now());
        rejectResult(error);
        throw error;
      }
    }
    return {
      provider: entry.config.name,
      model,
      attempts,
      result,
      [Symbol.asyncIterator]: () => {
        if (iterated) throw new Error('tokenmeter: a routed stream can be iterated once');
        iterated = true;
        return deltas();
      },
    };
  }
}
