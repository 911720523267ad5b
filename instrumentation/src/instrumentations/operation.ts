/**
 * The one patch shape every instrumented SDK method shares: describe the call,
 * start it (gates may refuse), send the request with the span active, then
 * observe the SDK's own `APIPromise` — a parsed response or a stream.
 */
import { reportOnce, startCall } from '../core/call.js';
import type { CallInput, CallTracker } from '../core/call.js';
import { isIterableStream } from '../core/stream.js';
import type { IterableStream } from '../core/stream.js';
import { isObservableApiPromise, observeApiPromise } from './api-promise.js';

/** A call as an operation prepared it. */
export interface PreparedCall {
  input: CallInput;
  /** The request body to send (the caller's, or a copy with what we inject). */
  body: unknown;
  /** Whether we asked the provider for something the caller did not (e.g. stream usage). */
  injected: boolean;
}

/** How one SDK method is measured. */
export interface Operation {
  /** Used in `diag` messages. */
  readonly name: string;
  /** Describes the call from the SDK resource (`this`) and the request body; `undefined` leaves it unmeasured. */
  prepare(resource: unknown, body: unknown): PreparedCall | undefined;
  /** A parsed, non-streaming response. */
  onResult(result: unknown, tracker: CallTracker): void;
  /** A stream: observe it in place (see `observeStream`). */
  onStream(stream: IterableStream<unknown>, tracker: CallTracker, call: PreparedCall): void;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** `(original) => patched`: measures every call of `original` through `operation`. */
export function patchOperation(operation: Operation, isEnabled: () => boolean): (original: Method) => Method {
  return (original) =>
    function patchedOperation(this: unknown, ...args: unknown[]): unknown {
      if (!isEnabled()) return original.apply(this, args);
      let call: PreparedCall | undefined;
      try {
        call = operation.prepare(this, args[0]);
      } catch (error) {
        reportOnce(`describing ${operation.name}`, error);
      }
      if (call === undefined) return original.apply(this, args);
      // A gate's refusal throws here, before the request leaves.
      const tracker = startCall(call.input);
      if (call.body !== args[0]) args[0] = call.body;
      let result: unknown;
      try {
        // Only a recording span needs to be the active one while the request is made.
        result = tracker.span.isRecording() ? tracker.run(() => original.apply(this, args)) : original.apply(this, args);
      } catch (error) {
        tracker.end({ error });
        throw error;
      }
      try {
        observe(result, operation, tracker, call);
      } catch (error) {
        reportOnce(`observing ${operation.name}`, error);
      }
      return result;
    };
}

function observe(result: unknown, operation: Operation, tracker: CallTracker, call: PreparedCall): void {
  if (!isObservableApiPromise(result)) {
    // Not the SDK promise this version is known for: record the call without usage.
    tracker.end();
    return;
  }
  observeApiPromise(result, {
    onResult(parsed) {
      if (call.input.streaming && isIterableStream(parsed)) operation.onStream(parsed, tracker, call);
      else operation.onResult(parsed, tracker);
    },
    onError(error) {
      tracker.end({ error });
    },
  });
}
