/**
 * Observing an SDK stream without replacing it: the OpenAI and Anthropic SDKs
 * (Stainless) build `[Symbol.asyncIterator]`, `tee()` and `toReadableStream()`
 * on the instance's `iterator` factory, so wrapping that factory sees every
 * event exactly once while the stream object, its controller and its helpers
 * stay the SDK's own.
 */
import { reportOnce } from './call.js';

/** The part of a Stainless `Stream` this module relies on. */
export interface IterableStream<T> {
  iterator: () => AsyncIterator<T>;
}

/** Receives a stream's events; none of its errors reach the consumer. */
export interface StreamObserver<T> {
  /** Sees one event; returns false to hide it from the consumer (an event only we asked for). */
  onEvent(event: T): boolean;
  /** The stream finished, failed (`error`) or was abandoned by its consumer (`abandoned`). */
  onEnd(error: unknown, abandoned: boolean): void;
}

/** True when `value` looks like a Stainless stream whose iterator factory can be wrapped. */
export function isIterableStream(value: unknown): value is IterableStream<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { iterator?: unknown }).iterator === 'function';
}

/** Wraps `stream.iterator` in place so `observer` sees each event as the consumer pulls it. */
export function observeStream<T>(stream: IterableStream<T>, observer: StreamObserver<T>): void {
  const original = stream.iterator;
  stream.iterator = function observedIterator(this: unknown): AsyncIterator<T> {
    return observeIterator(original.call(this), observer);
  };
}

async function* observeIterator<T>(source: AsyncIterator<T>, observer: StreamObserver<T>): AsyncGenerator<T> {
  let error: unknown = undefined;
  let completed = false;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done === true) break;
      if (safeOnEvent(observer, next.value)) yield next.value;
    }
    completed = true;
  } catch (caught) {
    error = caught;
    throw caught;
  } finally {
    // Reached on completion, on error and when the consumer stops early (return()).
    if (!completed && error === undefined) await source.return?.();
    safeOnEnd(observer, error, !completed && error === undefined);
  }
}

function safeOnEvent<T>(observer: StreamObserver<T>, event: T): boolean {
  try {
    return observer.onEvent(event);
  } catch (error) {
    reportOnce('reading a stream event', error);
    return true;
  }
}

function safeOnEnd<T>(observer: StreamObserver<T>, error: unknown, abandoned: boolean): void {
  try {
    observer.onEnd(error, abandoned);
  } catch (caught) {
    reportOnce('ending a stream', caught);
  }
}
