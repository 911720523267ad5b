/**
 * Priority fallback across providers. One neutral request goes to the
 * highest-priority provider that is enabled for the caller's organisation,
 * not blocked, under its limits and not cooling down; on 429, 5xx, a
 * timeout, a connection error or a refusal it falls back to the next one.
 * Every attempt goes through the caller's own (patched) SDK client, so it is
 * measured, priced and gated like any other call; attempts that fall back are
 * counted with outcome `fallback`. One attempt is `attempt.ts`.
 */
import { currentAttribution } from '../attribution/context.js';
import { activeControlLink, type ControlLink } from '../control/index.js';
import { ProviderUnavailableError, QuotaExceededError } from '../control/errors.js';
import { ControlMetrics } from '../control/metrics.js';
import { runAttempt, type SendAttempt } from './attempt.js';
import { systemClock, type RouterClock } from './clock.js';
import { AllProvidersFailedError } from './errors.js';
import { ProviderHealth, type BreakerState, type CooldownOptions } from './health.js';
import { adapterFor, orderCandidates, type Candidate, type RouterEntry, type RouterProvider } from './providers.js';
import { tokenEstimate, validateRequest } from './request.js';
import { StreamHolder } from './stream-holder.js';
import type { Attempt, ChatRequest, ChatResult, ChatStream, FallbackReason } from './types.js';

export type { RouterProvider } from './providers.js';
export { classify } from './classify.js';

export interface RouterOptions {
  providers: RouterProvider[];
  /** Per-attempt timeout (for a stream: until the first event). Default 30 s. */
  timeoutMillis?: number;
  /** Circuit breaker: consecutive failures before a cool-down, and its length. Defaults 3 and 30 s. */
  cooldown?: CooldownOptions;
  /** Organisation whose provider settings apply (default: the current attribution's org). */
  org?: string;
  /** Fall back when a model refuses or its output is filtered (default true). */
  fallbackOnModelRefusal?: boolean;
  /** Control link for provider settings, blocks and limits (default: the one the SDK started; `null` = none). */
  link?: ControlLink | null;
  /** Time for cool-downs, attempt durations and timeouts (default: the process's own; tests pass one they advance). */
  clock?: RouterClock;
}

/** Health of one configured provider. */
export interface ProviderHealthView {
  provider: string;
  state: BreakerState;
  consecutiveFailures: number;
}

export interface Router {
  /** Routes one request; the answer says which provider and model served it. */
  chat(request: ChatRequest & { stream?: false }): Promise<ChatResult>;
  chat(request: ChatRequest & { stream: true }): Promise<ChatStream>;
  /** Routes one streamed request; resolves once a provider has started answering. */
  chatStream(request: ChatRequest): Promise<ChatStream>;
  /** Circuit-breaker state of each configured provider. */
  health(): ProviderHealthView[];
}

/** Creates a router over the given providers. */
export function createRouter(options: RouterOptions): Router {
  if (!Array.isArray(options.providers) || options.providers.length === 0) {
    throw new TypeError('tokenmeter: createRouter needs at least one provider in options.providers');
  }
  const timeoutMillis = options.timeoutMillis ?? 30_000;
  if (!Number.isFinite(timeoutMillis) || timeoutMillis <= 0) throw new RangeError(`tokenmeter: timeoutMillis must be > 0, got ${timeoutMillis}`);
  const entries: RouterEntry[] = options.providers.map((config, index) => ({
    index,
    config,
    adapter: adapterFor(config, index),
    health: new ProviderHealth(options.cooldown),
  }));
  const fallbackOnModelRefusal = options.fallbackOnModelRefusal ?? true;
  const clock = options.clock ?? systemClock;
  const metrics = new ControlMetrics();
  const linkOf = (): ControlLink | undefined => (options.link === null ? undefined : (options.link ?? activeControlLink()));

  /** Why a candidate cannot be tried now (no side effects), or undefined. */
  function precheck(candidate: Candidate, org: string | undefined, estimate: number): { reason: FallbackReason; error?: Error } | undefined {
    const name = candidate.entry.config.name;
    if (!candidate.enabled) return { reason: 'disabled', error: new ProviderUnavailableError({ provider: name, org, reason: 'disabled' }) };
    const refusal = linkOf()?.enforcer?.refusalFor(org, { ...currentAttribution(), ...(org === undefined ? {} : { org }) }, name, estimate);
    if (refusal !== undefined) return { reason: 'refused', error: refusal };
    if (candidate.entry.health.state(clock.now()) === 'open') return { reason: 'cooling_down' };
    return undefined;
  }

  /** Tries the candidates in order until one answers. */
  async function route<T>(request: ChatRequest, send: SendAttempt<T>): Promise<T> {
    validateRequest(request);
    const org = request.org ?? options.org ?? currentAttribution().org;
    const estimate = tokenEstimate(request);
    const ordered = orderCandidates(entries, linkOf()?.policy, org);
    const attempts: Attempt[] = [];
    let lastError: unknown;
    for (let k = 0; k < ordered.length; k++) {
      const candidate = ordered[k]!;
      const { entry } = candidate;
      const name = entry.config.name;
      const model = request.models?.[name] ?? entry.config.model;
      const skip = precheck(candidate, org, estimate);
      if (skip !== undefined) {
        // A block on the caller (org, department, user, feature) or fail-closed refuses every provider: say so plainly.
        if (skip.error instanceof QuotaExceededError && skip.error.scope !== 'provider') throw skip.error;
        if (skip.error instanceof ProviderUnavailableError && skip.error.reason === 'enforcement_unavailable') throw skip.error;
        attempts.push({ provider: name, model, outcome: 'skipped', reason: skip.reason, ...(skip.error === undefined ? {} : { error: skip.error.message }), durationMs: 0 });
        lastError = skip.error ?? lastError;
        continue;
      }
      if (entry.health.admit(clock.now()) === 'skip') {
        attempts.push({ provider: name, model, outcome: 'skipped', reason: 'cooling_down', durationMs: 0 });
        continue;
      }
      const isLast = !ordered.slice(k + 1).some((next) => precheck(next, org, estimate) === undefined);
      const attempt: Attempt = { provider: name, model, outcome: 'failed', durationMs: 0 };
      attempts.push(attempt);
      const plan = { entry, request, model, org, tokenEstimate: estimate, isLast, timeoutMillis, fallbackOnModelRefusal, clock, metrics };
      const result = await runAttempt(plan, attempt, send);
      if (result.answered) return finish(result.value, attempts, attempt);
      if (result.error !== undefined) lastError = result.error;
    }
    throw new AllProvidersFailedError(attempts, lastError);
  }

  function finish<T>(value: T, attempts: Attempt[], attempt: Attempt): T {
    if (value instanceof StreamHolder) value.bind(attempts, attempt);
    else if (isResult(value)) {
      value.attempts = attempts;
      attempt.usage ??= value.usage;
    }
    return value;
  }

  async function chat(request: ChatRequest): Promise<ChatResult> {
    return route<ChatResult>(request, async (entry, adapterRequest) => {
      const answer = await entry.adapter.complete(adapterRequest);
      const result: ChatResult = {
        provider: entry.config.name,
        model: answer.model,
        text: answer.text,
        usage: answer.usage,
        finishReason: answer.finishReason,
        attempts: [],
      };
      return { value: result, refusedByModel: answer.finishReason === 'refusal' || answer.finishReason === 'content_filter' };
    });
  }

  async function chatStream(request: ChatRequest): Promise<ChatStream> {
    const holder = await route<StreamHolder>(request, async (entry, adapterRequest) => {
      const events = await entry.adapter.stream(adapterRequest);
      const iterator = events[Symbol.asyncIterator]();
      // Commit to this provider only once it has produced its first event: a failure before that falls back.
      const first = await raceAbort(iterator.next(), adapterRequest.signal);
      return { value: new StreamHolder(entry, adapterRequest.model, iterator, first, clock), refusedByModel: false };
    });
    return holder.stream();
  }

  return {
    chat: ((request: ChatRequest) => (request.stream === true ? chatStream(request) : chat(request))) as Router['chat'],
    chatStream,
    health: () =>
      entries.map((entry) => ({
        provider: entry.config.name,
        state: entry.health.state(clock.now()),
        consecutiveFailures: entry.health.consecutiveFailures,
      })),
  };
}

function isResult(value: unknown): value is ChatResult {
  return typeof value === 'object' && value !== null && 'attempts' in value && 'text' in value;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
