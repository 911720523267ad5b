/**
 * One attempt of a routed call on one provider: its timeout, its call scope
 * (how the SDK pipeline counts it and reports it back), the provider's
 * health, and whether a failure lets the router try the next provider.
 */
import { currentAttribution, withAttribution } from '../attribution/context.js';
import { withCallScope, type CallScope } from '../core/call-scope.js';
import type { ControlMetrics } from '../control/metrics.js';
import type { AdapterRequest } from './adapters/types.js';
import { classify, PROVIDER_FAILURES } from './classify.js';
import type { RouterClock } from './clock.js';
import type { RouterEntry } from './providers.js';
import type { Attempt, ChatRequest } from './types.js';

/** What a routed call asks of its provider: the answer, and whether the model declined. */
export type SendAttempt<T> = (entry: RouterEntry, request: AdapterRequest, isLast: boolean) => Promise<{ value: T; refusedByModel: boolean }>;

export interface AttemptPlan {
  entry: RouterEntry;
  request: ChatRequest;
  model: string;
  /** The org the call is made for (its provider settings and attribution). */
  org: string | undefined;
  /** Tokens reserved against token limits while the attempt is in flight. */
  tokenEstimate: number;
  /** No provider after this one could be tried: a failure is the call's error, not a fallback. */
  isLast: boolean;
  timeoutMillis: number;
  fallbackOnModelRefusal: boolean;
  clock: RouterClock;
  metrics: ControlMetrics;
}

/** `answered`: the provider served the call. Otherwise the router moves on; `error` is a provider failure to report if none answers. */
export type AttemptResult<T> = { answered: true; value: T } | { answered: false; error?: unknown };

/**
 * Runs one attempt and records it in `attempt` (outcome, reason, status,
 * duration; usage, cost and call id from the SDK pipeline). Throws what no
 * other provider would fix (a bad request, the caller's own abort).
 */
export async function runAttempt<T>(plan: AttemptPlan, attempt: Attempt, send: SendAttempt<T>): Promise<AttemptResult<T>> {
  const { entry, request, clock } = plan;
  const name = entry.config.name;
  // The timeout covers the attempt until it answers (a stream: until its first event), not a committed stream.
  const timeout = new AbortController();
  const cancelTimer = clock.setTimer(() => timeout.abort(new DOMException(`no answer within ${plan.timeoutMillis} ms`, 'TimeoutError')), plan.timeoutMillis);
  const signal = request.signal === undefined ? timeout.signal : AbortSignal.any([request.signal, timeout.signal]);
  const started = clock.now();
  const scope: CallScope = {
    ...(plan.isLast ? {} : { failureOutcome: 'fallback' as const }),
    tokenEstimate: plan.tokenEstimate,
    onCallFinished: (call) => {
      attempt.callId = call.id;
      attempt.costUsd = call.cost.costUsd;
      attempt.usage = { ...call.tokens };
    },
  };
  const adapterRequest: AdapterRequest = {
    model: plan.model,
    messages: request.messages,
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    signal,
    timeoutMillis: plan.timeoutMillis,
  };
  try {
    const run = (): Promise<{ value: T; refusedByModel: boolean }> => withCallScope(scope, () => send(entry, adapterRequest, plan.isLast));
    const org = plan.org;
    const { value, refusedByModel } = await (org === undefined || org === currentAttribution().org ? run() : withAttribution({ org }, run)).finally(cancelTimer);
    attempt.durationMs = clock.now() - started;
    entry.health.success(); // the provider works, even when the model declined
    if (refusedByModel && plan.fallbackOnModelRefusal && !plan.isLast) {
      attempt.reason = 'model_refusal';
      plan.metrics.fallback(name, 'model_refusal');
      return { answered: false };
    }
    attempt.outcome = 'ok';
    return { answered: true, value };
  } catch (error) {
    cancelTimer();
    attempt.durationMs = clock.now() - started;
    if (request.signal?.aborted === true) {
      entry.health.release();
      throw error;
    }
    const reason = timeout.signal.aborted ? 'timeout' : classify(error);
    attempt.error = error instanceof Error ? error.message : String(error);
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number') attempt.status = status;
    if (reason === undefined) {
      // Not a provider failure (a bad request, an auth error): another provider would not help.
      entry.health.release();
      attempt.reason = 'error';
      throw error;
    }
    attempt.reason = reason;
    if (PROVIDER_FAILURES.has(reason)) {
      if (entry.health.failure(clock.now())) plan.metrics.cooldown(name);
    } else {
      entry.health.release();
    }
    if (!plan.isLast) plan.metrics.fallback(name, reason);
    return { answered: false, error };
  }
}
