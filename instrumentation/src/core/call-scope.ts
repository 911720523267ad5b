/**
 * Per-call options set by code that wraps SDK calls (the router): how a failed
 * attempt is counted and who hears of each finished call. Read by the call
 * pipeline when a call starts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Outcome } from '../semconv.js';
import type { FinishedCall } from './hooks.js';

export interface CallScope {
  /** Outcome recorded for a failed call instead of `error` (the router sets `fallback` when it will try another provider). */
  failureOutcome?: Outcome;
  /** Called with every call finished inside the scope (after the sinks). */
  onCallFinished?: (call: FinishedCall) => void;
  /** Tokens the call is expected to use (the router's max tokens plus an input estimate), reserved against provider token limits while it is in flight. */
  tokenEstimate?: number;
}

const storage = new AsyncLocalStorage<CallScope>();

/** Runs `fn` with `scope` in force for the calls it makes. */
export function withCallScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope in force, if any. */
export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}
