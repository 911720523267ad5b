/**
 * Observing an SDK `APIPromise` without replacing it. The SDKs' promise is
 * lazy: the body is parsed by `parseResponse` when someone awaits it (or
 * calls `.withResponse()`, or `_thenUnwrap` derives a promise from it, as
 * `.parse()` and the stream helpers do). Wrapping that one function in place
 * keeps the object, its type and its helpers the SDK's own, and never parses
 * a body twice.
 */
import { reportOnce } from '../core/call.js';

/** The part of a Stainless `APIPromise` this module relies on (openai 4–7, @anthropic-ai/sdk 0.x–1.x). */
export interface ObservableApiPromise {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  /** Derives a promise of `transform(result)`; openai ≥ 7.5x sets it per instance, parsing through its own closure. */
  _thenUnwrap?: (transform: (result: unknown, props: unknown) => unknown) => unknown;
}

export interface ApiPromiseObserver {
  /** The parsed result (a response object, or a stream). */
  onResult(result: unknown): void;
  /** The request or its parsing failed. */
  onError(error: unknown): void;
}

/** True when `value` has the shape `observeApiPromise` needs. */
export function isObservableApiPromise(value: unknown): value is ObservableApiPromise {
  return (
    value instanceof Promise &&
    typeof (value as Partial<ObservableApiPromise>).parseResponse === 'function' &&
    (value as Partial<ObservableApiPromise>).responsePromise instanceof Promise
  );
}

/** Hooks `observer` into `promise` in place; returns `promise` itself. */
export function observeApiPromise<P extends ObservableApiPromise>(promise: P, observer: ApiPromiseObserver): P {
  // The same result may arrive through both paths below; it is handled once.
  let delivered = false;
  const onResult = (result: unknown): void => {
    if (delivered) return;
    delivered = true;
    observer.onResult(result);
  };
  const parse = promise.parseResponse;
  promise.parseResponse = function observedParseResponse(this: unknown, ...args: unknown[]): unknown {
    const parsed = parse.apply(this, args);
    if (!(parsed instanceof Promise)) {
      safe(onResult, parsed);
      return parsed;
    }
    return parsed.then(
      (result: unknown) => {
        safe(onResult, result);
        return result;
      },
      (error: unknown) => {
        safe(observer.onError, error);
        throw error;
      },
    );
  };
  const thenUnwrap = promise._thenUnwrap;
  if (typeof thenUnwrap === 'function') {
    promise._thenUnwrap = function observedThenUnwrap(this: unknown, transform) {
      return thenUnwrap.call(this, (result: unknown, props: unknown) => {
        safe(onResult, result);
        return transform(result, props);
      });
    };
  }
  // A side branch: the caller's own chain still sees the rejection.
  promise.responsePromise.then(undefined, (error: unknown) => safe(observer.onError, error));
  return promise;
}

function safe(fn: (value: unknown) => void, value: unknown): void {
  try {
    fn(value);
  } catch (error) {
    reportOnce('observing a response', error);
  }
}
