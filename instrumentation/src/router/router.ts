/**
 * Priority fallback across providers. One neutral request goes to the
 * highest-priority provider that is enabled for the caller's organisation,
 * not blocked, under its limits and not cooling down; on 429, 5xx, a
 * timeout, a connection error or a refusal it falls back to the next one.
 * Every attempt goes through the caller's own (patched) SDK client, so it is
 * measured, priced and gated like any other call; attempts that fall back are
 * counted with outcome `fallback`.
 */
import { withAttribution, currentAttribution } from '../attribution/context.js';
import { withCallScope } from '../core/call-scope.js';
import type { FinishedCall } from '../core/hooks.js';
import { activeControlLink, type ControlLink } from '../control/index.js';
import { ProviderUnavailableError, QuotaExceededError, isRefusal } from '../control/errors.js';
import { ControlMetrics } from '../control/metrics.js';
import { AnthropicAdapter, type AnthropicClientLike } from './adapters/anthropic.js';
import { OpenAIAdapter, type OpenAIClientLike } from './adapters/openai.js';
import type { AdapterRequest, AdapterStreamEvent, ProviderAdapter } from './adapters/types.js';
import { AllProvidersFailedError } from './errors.js';
import { ProviderHealth, type BreakerState, type CooldownOptions } from './health.js';
import type { Attempt, ChatDelta, ChatRequest, ChatResult, ChatStream, FallbackReason } from './types.js';

export interface RouterProvider {
  /** Provider name, as in `gen_ai.provider.name` and the control plane's provider settings (`openai`, `anthropic`). */
  name: string;
  /** The caller's SDK client (`new OpenAI(...)`, `new Anthropic(...)`). */
  client?: OpenAIClientLike | AnthropicClientLike;
  /** Which adapter drives `client` (default: from `name`, else from the client's shape). */
  kind?: 'openai' | 'anthropic';
  /** A custom adapter instead of `client`. */
  adapter?: ProviderAdapter;
  /** Model to use on this provider. */
  model: string;
  /** Lower = tried first (default: the position in `providers`). The control plane's priority for the org wins when set. */
  priority?: number;
}

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

interface Entry {
  index: number;
  config: RouterProvider;
  adapter: ProviderAdapter;
  health: ProviderHealth;
}

interface Candidate {
  entry: Entry;
  enabled: boolean;
}

/** Provider failures that count against a provider's health. */
const PROVIDER_FAILURES: ReadonlySet<FallbackReason> = new Set(['rate_limited', 'server_error', 'timeout', 'connection']);

/** Creates a router over the given providers. */
export function createRouter(options: RouterOptions): Router {
  if (!Array.isArray(options.providers) || options.providers.length === 0) {
    throw new TypeError('tokenmeter: createRouter needs at least one provider in options.providers');
  }
  const timeoutMillis = options.timeoutMillis ?? 30_000;
  if (!Number.isFinite(timeoutMillis) || timeoutMillis <= 0) throw new RangeError(`tokenmeter: timeoutMillis must be > 0, got ${timeoutMillis}`);
  const entries: Entry[] = options.providers.map((config, index) => ({
    index,
    config,
    adapter: adapterFor(config, index),
    health: new ProviderHealth(options.cooldown),
  }));
  const fallbackOnModelRefusal = options.fallbackOnModelRefusal ?? true;
  const metrics = new ControlMetrics();
  const linkOf = (): ControlLink | undefined => (options.link === null ? undefined : (options.link ?? activeControlLink()));

  /** Providers in the order to try for `org`: the control plane's settings over the configured ones. */
  function candidates(org: string | undefined): Candidate[] {
    const policy = linkOf()?.policy;
    const list = entries.map((entry) => {
      const settings = policy?.settings(org, entry.config.name);
      return {
        entry,
        enabled: settings?.enabled ?? true,
        priority: settings?.priority ?? entry.config.priority ?? entry.index,
      };
    });
    list.sort((a, b) => a.priority - b.priority || a.entry.index - b.entry.index);
    return list;
  }

  /** Why a candidate cannot be tried now (no side effects), or undefined. */
  function precheck(candidate: Candidate, org: string | undefined, estimate: number): { reason: FallbackReason; error?: Error } | undefined {
    const name = candidate.entry.config.name;
    if (!candidate.enabled) return { reason: 'disabled', error: new ProviderUnavailableError({ provider: name, org, reason: 'disabled' }) };
    const refusal = linkOf()?.enforcer?.refusalFor(org, { ...currentAttribution(), ...(org === undefined ? {} : { org }) }, name, estimate);
    if (refusal !== undefined) return { reason: 'refused', error: refusal };
    if (candidate.entry.health.state() === 'open') return { reason: 'cooling_down' };
    return undefined;
  }

  async function route<T>(
    request: ChatRequest,
    attemptOne: (entry: Entry, adapterRequest: AdapterRequest, isLast: boolean) => Promise<{ value: T; refusedByModel: boolean }>,
  ): Promise<T> {
    validate(request);
    const org = request.org ?? options.org ?? currentAttribution().org;
    const estimate = tokenEstimate(request);
    const ordered = candidates(org);
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
      const admission = entry.health.admit();
      if (admission === 'skip') {
        attempts.push({ provider: name, model, outcome: 'skipped', reason: 'cooling_down', durationMs: 0 });
        continue;
      }
      const isLast = !ordered.slice(k + 1).some((next) => precheck(next, org, estimate) === undefined);
      const attempt: Attempt = { provider: name, model, outcome: 'failed', durationMs: 0 };
      attempts.push(attempt);
      // The timeout covers the attempt until it answers (a stream: until its first event), not a committed stream.
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new DOMException(`no answer within ${timeoutMillis} ms`, 'TimeoutError')), timeoutMillis);
      const signal = request.signal === undefined ? timeout.signal : AbortSignal.any([request.signal, timeout.signal]);
      const started = performance.now();
      const scope = {
        ...(isLast ? {} : { failureOutcome: 'fallback' as const }),
        tokenEstimate: estimate,
        onCallFinished: (call: FinishedCall) => {
          attempt.callId = call.id;
          attempt.costUsd = call.cost.costUsd;
          attempt.usage = { ...call.tokens };
        },
      };
      const adapterRequest: AdapterRequest = {
        model,
        messages: request.messages,
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        signal,
        timeoutMillis,
      };
      try {
        const run = (): Promise<{ value: T; refusedByModel: boolean }> => withCallScope(scope, () => attemptOne(entry, adapterRequest, isLast));
        const { value, refusedByModel } = await (org === undefined || org === currentAttribution().org ? run() : withAttribution({ org }, run)).finally(() =>
          clearTimeout(timer),
        );
        attempt.durationMs = performance.now() - started;
        if (refusedByModel && fallbackOnModelRefusal && !isLast) {
          entry.health.success(); // the provider works; the model declined
          attempt.reason = 'model_refusal';
          metrics.fallback(name, 'model_refusal');
          continue;
        }
        entry.health.success();
        attempt.outcome = 'ok';
        return finish(value, attempts, attempt);
      } catch (error) {
        clearTimeout(timer);
        attempt.durationMs = performance.now() - started;
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
        lastError = error;
        if (PROVIDER_FAILURES.has(reason)) {
          if (entry.health.failure()) metrics.cooldown(name);
        } else {
          entry.health.release();
        }
        if (!isLast) metrics.fallback(name, reason);
      }
    }
    throw new AllProvidersFailedError(attempts, lastError);
  }

  function finish<T>(value: T, attempts: Attempt[], attempt: Attempt): T {
    if (isStreamHolder(value)) value.bind(attempts, attempt);
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
      return { value: new StreamHolder(entry, adapterRequest.model, iterator, first), refusedByModel: false };
    });
    return holder.stream();
  }

  return {
    chat: ((request: ChatRequest) => (request.stream === true ? chatStream(request) : chat(request))) as Router['chat'],
    chatStream,
    health: () =>
      entries.map((entry) => ({
        provider: entry.config.name,
        state: entry.health.state(),
        consecutiveFailures: entry.health.consecutiveFailures,
      })),
  };
}

/** A committed stream: the provider's iterator with its first event already read. */
class StreamHolder {
  private _attempts: Attempt[] = [];
  private _attempt: Attempt | undefined;

  constructor(
    private readonly _entry: Entry,
    private readonly _model: string,
    private readonly _iterator: AsyncIterator<AdapterStreamEvent>,
    private readonly _first: IteratorResult<AdapterStreamEvent>,
  ) {}

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
        entry.health.failure();
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

function isStreamHolder(value: unknown): value is StreamHolder {
  return value instanceof StreamHolder;
}

function isResult(value: unknown): value is ChatResult {
  return typeof value === 'object' && value !== null && 'attempts' in value && 'text' in value;
}

function adapterFor(config: RouterProvider, index: number): ProviderAdapter {
  if (typeof config.name !== 'string' || config.name === '') throw new TypeError(`tokenmeter: providers[${index}].name must be a non-empty string`);
  if (typeof config.model !== 'string' || config.model === '') throw new TypeError(`tokenmeter: providers[${index}].model must be a non-empty string`);
  if (config.adapter !== undefined) return config.adapter;
  const client = config.client as Partial<OpenAIClientLike & AnthropicClientLike> | undefined;
  if (client === undefined || client === null) throw new TypeError(`tokenmeter: providers[${index}] needs a client (new OpenAI(...) or new Anthropic(...)) or an adapter`);
  const kind =
    config.kind ??
    (config.name === 'openai' || config.name === 'anthropic'
      ? config.name
      : typeof client.chat?.completions?.create === 'function'
        ? 'openai'
        : typeof client.messages?.create === 'function'
          ? 'anthropic'
          : undefined);
  if (kind === 'openai' && typeof client.chat?.completions?.create === 'function') return new OpenAIAdapter(client as OpenAIClientLike);
  if (kind === 'anthropic' && typeof client.messages?.create === 'function') return new AnthropicAdapter(client as AnthropicClientLike);
  throw new TypeError(`tokenmeter: providers[${index}].client is not an ${kind ?? 'OpenAI or Anthropic'} client`);
}

function validate(request: ChatRequest): void {
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw new TypeError('tokenmeter: request.messages must be a non-empty array');
  request.messages.forEach((message, index) => {
    if (message === null || typeof message !== 'object' || !['system', 'user', 'assistant'].includes(message.role)) {
      throw new TypeError(`tokenmeter: request.messages[${index}].role must be system, user or assistant`);
    }
    if (typeof message.content !== 'string') throw new TypeError(`tokenmeter: request.messages[${index}].content must be a string`);
  });
  if (!Number.isInteger(request.maxTokens) || request.maxTokens <= 0) throw new TypeError(`tokenmeter: request.maxTokens must be a positive integer, got ${request.maxTokens}`);
  if (request.temperature !== undefined && (!Number.isFinite(request.temperature) || request.temperature < 0 || request.temperature > 2)) {
    throw new TypeError(`tokenmeter: request.temperature must be between 0 and 2, got ${request.temperature}`);
  }
}

/** Tokens to reserve against token limits: the output bound plus ~4 characters per input token. */
function tokenEstimate(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) chars += message.content.length;
  return request.maxTokens + Math.ceil(chars / 4) + 4 * request.messages.length;
}

/** Why a failed attempt may fall back, or undefined when it must not. */
export function classify(error: unknown): FallbackReason | undefined {
  if (isRefusal(error)) return 'refused';
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { constructor?: { name?: string } }).constructor?.name ?? (error as Error).name;
  if (name === 'APIConnectionTimeoutError' || (error as Error).name === 'TimeoutError') return 'timeout';
  const status = (error as { status?: unknown }).status;
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (typeof status === 'number' && status >= 500) return 'server_error';
  if (name === 'APIConnectionError') return 'connection';
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection';
  return undefined;
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
