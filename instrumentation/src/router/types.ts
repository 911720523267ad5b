/** The router's neutral request and answer, the same for every provider. */
import type { FinishedCall } from '../core/hooks.js';
import type { TokenUsage } from '../protocol.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Most output tokens (required: every provider needs it, and it bounds the token reservation). */
  maxTokens: number;
  temperature?: number;
  /** Stream text deltas (`chatStream`) instead of one answer. */
  stream?: boolean;
  /** Organisation whose provider settings and limits apply (default: the router's `org`, else the current attribution's). */
  org?: string;
  /** Per-provider model overrides for this request, by provider name. */
  models?: Record<string, string>;
  /** Aborts the whole routed call. */
  signal?: AbortSignal;
}

/** Why an answer stopped, mapped from each provider's own reason. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'refusal' | 'other';

/** What happened to one provider during a routed call. */
export interface Attempt {
  provider: string;
  model: string;
  /** `ok` answered; `failed` tried and failed (fell back); `skipped` not tried (disabled, blocked, over its limit, cooling down). */
  outcome: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped: `rate_limited` (429), `server_error` (5xx), `timeout`, `connection`, `refused` (blocked / over limit / disabled), `model_refusal`, `cooling_down`, `error`. */
  reason?: FallbackReason;
  /** HTTP status of a failed attempt, when there was one. */
  status?: number;
  error?: string;
  durationMs: number;
  usage?: TokenUsage;
  /** Cost of the attempt as the SDK priced it (USD, float; exact cost is in the ledger). */
  costUsd?: number;
  /** Id of the measured call (the ledger record id), when the SDK patches measured it. */
  callId?: string;
}

export type FallbackReason =
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'refused'
  | 'disabled'
  | 'model_refusal'
  | 'cooling_down'
  | 'error';

export interface ChatResult {
  /** Provider that served the answer. */
  provider: string;
  /** Model that served it (the response's model when the provider says). */
  model: string;
  text: string;
  usage: TokenUsage;
  finishReason: FinishReason;
  /** Every provider considered, in order. */
  attempts: Attempt[];
}

/** One streamed piece of text. */
export interface ChatDelta {
  text: string;
}

/** A streamed answer: iterate for deltas; `result` resolves once the stream ended. */
export interface ChatStream extends AsyncIterable<ChatDelta> {
  readonly provider: string;
  readonly model: string;
  /** Attempts before this provider committed (failed and skipped ones, then this one). */
  readonly attempts: Attempt[];
  /** The full answer, once iteration has finished. */
  readonly result: Promise<ChatResult>;
}

/** Passed to `onCallFinished` collectors. */
export type MeasuredCall = FinishedCall;
