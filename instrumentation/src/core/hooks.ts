/**
 * The seam between the SDK patches and what acts on a call: gates run before a
 * request leaves the process (enforcement), sinks receive every finished,
 * priced call (metrics and spans, the usage reporter). Patches call
 * `runGates` and `emitFinished`; the telemetry, the reporter and the
 * enforcement client register here, so none of them knows the others.
 */
import type { PendingFingerprint } from '../fingerprint/pending.js';
import type { Attribution, TokenUsage } from '../protocol.js';
import type { Outcome } from '../semconv.js';

/** What is known of a call before it is sent. */
export interface CallDescriptor {
  provider: string;
  operation: string;
  requestModel?: string;
  serviceTier?: string;
  streaming: boolean;
  attribution: Attribution;
  /** The request's output bound (`max_tokens` / `max_completion_tokens`) when set: reserved against provider token limits while the call is in flight. */
  maxOutputTokens?: number;
}

/** Price of one call, as the pricing engine computed it. */
export interface CallCost {
  priced: boolean;
  /** Exact cost in pico-USD (0n when unpriced). */
  costPicoUsd: bigint;
  /** The same in float USD, for metrics and spans only. */
  costUsd: number;
  priceId?: string;
}

/** A finished call, measured and priced. */
export interface FinishedCall extends CallDescriptor {
  /** Unique id (the span id where a span exists); the ledger de-duplicates on it. */
  id: string;
  startTimeMs: number;
  durationMs: number;
  responseModel?: string;
  responseId?: string;
  tokens: TokenUsage;
  outcome: Outcome;
  errorType?: string;
  cost: CallCost;
  /** Why the output ended, per choice, as the provider says it. */
  finishReasons?: string[];
  /**
   * The prompt fingerprint, computed after the call (read `.value`; it is
   * computed on first read if its batch has not run yet). Absent when
   * fingerprints are off, for refused calls, and for operations without a prompt rule.
   */
  fingerprint?: PendingFingerprint;
}

/** Throws (a `QuotaExceededError`) to refuse a call; returns to let it through. */
export type CallGate = (call: CallDescriptor) => void;
/** Receives every finished call; must not throw (errors are caught and logged once). */
export type CallSink = (call: FinishedCall) => void;

const gates: CallGate[] = [];
const sinks: CallSink[] = [];

/** Registers a gate; returns its removal. */
export function addGate(gate: CallGate): () => void {
  gates.push(gate);
  return () => remove(gates, gate);
}

/** Registers a sink; returns its removal. */
export function addSink(sink: CallSink): () => void {
  sinks.push(sink);
  return () => remove(sinks, sink);
}

/** Runs every gate; the first refusal propagates to the caller. */
export function runGates(call: CallDescriptor): void {
  for (const gate of gates) gate(call);
}

/** Hands a finished call to every sink; a failing sink never affects the others or the caller. */
export function emitFinished(call: FinishedCall, onSinkError: (error: unknown) => void): void {
  for (const sink of sinks) {
    try {
      sink(call);
    } catch (error) {
      onSinkError(error);
    }
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}
