/**
 * Per-organisation provider settings (enabled, priority, hourly and daily
 * request and token limits) and the counters that enforce the limits.
 *
 * A counter per (org, provider) (`provider-counter.ts`) adds three things:
 * - the baseline: the control plane's exact fleet totals for the current hour
 *   and day, from the latest enforcement state;
 * - local usage: calls this process finished that the baseline does not yet
 *   include (kept per call id until the reporter's delivery is acknowledged
 *   before a state was generated);
 * - in-flight reservations: one request (and an estimate of its tokens) taken
 *   before the call leaves and released when it finishes, so concurrent calls
 *   cannot all pass the same last free slot.
 */
import type { EnforcementState, ProviderLimits, ProviderState } from '../protocol.js';
import { ProviderUnavailableError, type ProviderLimitName } from './errors.js';
import { PendingCalls, type PendingCall } from './pending-calls.js';
import { ProviderCounter } from './provider-counter.js';
import { LIMIT_WINDOWS, WINDOW_MS } from './window-total.js';

/** One provider's settings for one organisation as the router and the gate see them. */
export interface ProviderSettings {
  provider: string;
  /** The org the settings were configured for (`*` = the default). */
  org: string;
  enabled: boolean;
  priority: number;
  limits: ProviderLimits;
}

/** Usage a counter currently holds (for diagnostics and tests). */
export interface ProviderCounterView {
  hourRequests: number;
  hourTokens: number;
  dayRequests: number;
  dayTokens: number;
  inflightRequests: number;
  inflightTokens: number;
  hourResetAt: Date;
  dayResetAt: Date;
}

export interface ProviderPolicyOptions {
  /** Reservations older than this are released (a call that never reported its end). Default 10 min. */
  maxInflightMillis?: number;
  /** Most calls kept individually until acknowledged; older ones stay counted until their window ends. Default 100,000. */
  maxPendingCalls?: number;
}

/** Provider settings per organisation and the limit counters; fed by the enforcement state. */
export class ProviderPolicy {
  private readonly _maxInflightMillis: number;
  private readonly _maxPendingCalls: number;
  /** org → provider → state (org `*` = default). */
  private _settings = new Map<string, Map<string, ProviderState>>();
  /** org ('' when the call has none) → provider → counter. */
  private readonly _counters = new Map<string, Map<string, ProviderCounter>>();
  /** Finished calls not (known to be) in the control plane's totals. */
  private readonly _pending = new PendingCalls<ProviderCounter>();
  private _stateGeneratedMs = Number.NEGATIVE_INFINITY;

  constructor(options: ProviderPolicyOptions = {}) {
    this._maxInflightMillis = options.maxInflightMillis ?? 600_000;
    this._maxPendingCalls = options.maxPendingCalls ?? 100_000;
  }

  /** Whether any provider settings are loaded (the per-call fast path). */
  get empty(): boolean {
    return this._settings.size === 0;
  }

  /** Applies a new enforcement state: settings, limits and the exact fleet usage. */
  applyState(state: EnforcementState, nowMs = Date.now()): void {
    const settings = new Map<string, Map<string, ProviderState>>();
    for (const entry of state.providers) {
      let byProvider = settings.get(entry.org);
      if (byProvider === undefined) settings.set(entry.org, (byProvider = new Map()));
      byProvider.set(entry.provider, { ...entry, limits: normalizeLimits(entry.limits) });
    }
    this._settings = settings;
    const generated = Date.parse(state.generated_at);
    this._stateGeneratedMs = Number.isNaN(generated) ? Date.now() : generated;

    // Calls acknowledged before the state was generated are in its totals now.
    for (const entry of this._pending.values()) {
      if (entry.ackedAtMs !== undefined && entry.ackedAtMs <= this._stateGeneratedMs) this._pending.remove(entry);
    }
    for (const [org, byProvider] of this._counters) {
      for (const [provider, counter] of byProvider) this._refreshCounter(org, provider, counter);
    }
    this._recount(undefined, nowMs);
  }

  /** The settings in force for `provider` and `org` (the org's own, else the default `*`). */
  settings(org: string | undefined, provider: string): ProviderState | undefined {
    if (org !== undefined) {
      const own = this._settings.get(org)?.get(provider);
      if (own !== undefined) return own;
    }
    return this._settings.get('*')?.get(provider);
  }

  /** Every provider with settings for `org` (its own over the defaults). */
  providersFor(org: string | undefined): ProviderSettings[] {
    const merged = new Map<string, ProviderState>();
    for (const [provider, state] of this._settings.get('*') ?? []) merged.set(provider, state);
    if (org !== undefined) for (const [provider, state] of this._settings.get(org) ?? []) merged.set(provider, state);
    return [...merged.values()].map((state) => ({
      provider: state.provider,
      org: state.org,
      enabled: state.enabled,
      priority: state.priority,
      limits: state.limits,
    }));
  }

  /**
   * Whether a call to `provider` for `org` may go now, without reserving:
   * undefined when it may, else the refusal. Used by the router to skip a
   * provider; `acquire` is the atomic check-and-reserve the gate uses.
   */
  check(org: string | undefined, provider: string, tokenEstimate = 0, nowMs = Date.now()): ProviderUnavailableError | undefined {
    if (this._settings.size === 0) return undefined;
    const state = this.settings(org, provider);
    if (state === undefined) return undefined;
    if (!state.enabled) return new ProviderUnavailableError({ provider, org, reason: 'disabled' });
    const counter = this._counterFor(org, provider, state, nowMs);
    if (counter === undefined) return undefined;
    return this._overLimit(counter, org, provider, tokenEstimate, nowMs);
  }

  /**
   * Checks and, when allowed, reserves one request (and `tokenEstimate`
   * tokens, or the average of past calls) until `settle` sees the call end.
   * Returns the refusal, or undefined when the call may go.
   */
  acquire(org: string | undefined, provider: string, tokenEstimate: number | undefined, nowMs = Date.now()): ProviderUnavailableError | undefined {
    if (this._settings.size === 0) return undefined;
    const state = this.settings(org, provider);
    if (state === undefined) return undefined;
    if (!state.enabled) return new ProviderUnavailableError({ provider, org, reason: 'disabled' });
    const counter = this._counterFor(org, provider, state, nowMs);
    if (counter === undefined) return undefined;
    if (counter.inflightRequests > 0 && nowMs - counter.lastReserveMs > this._maxInflightMillis) {
      counter.inflightRequests = 0; // calls that never reported their end
      counter.inflightTokens = 0;
    }
    const estimate = tokenEstimate ?? counter.averageTokens;
    const refusal = this._overLimit(counter, org, provider, estimate, nowMs);
    if (refusal !== undefined) return refusal;
    counter.inflightRequests += 1;
    counter.inflightTokens += estimate;
    counter.lastReserveMs = nowMs;
    return undefined;
  }

  /**
   * A call finished: release its reservation and count it locally until the
   * control plane's totals include it. `id` lets `acknowledge` retire it.
   */
  settle(org: string | undefined, provider: string, id: string, startTimeMs: number, tokens: number, nowMs = Date.now()): void {
    const counter = this._counters.get(org ?? '')?.get(provider);
    if (counter === undefined) return;
    if (counter.inflightRequests > 0) {
      counter.inflightTokens = Math.max(0, counter.inflightTokens - counter.inflightTokens / counter.inflightRequests);
      counter.inflightRequests -= 1;
      if (counter.inflightRequests === 0) counter.inflightTokens = 0;
    }
    counter.averageTokens = counter.averageTokens === 0 ? tokens : counter.averageTokens * 0.8 + tokens * 0.2;
    this._roll(counter, nowMs);
    const hourStartMs = counter.windowStartOf('hour', startTimeMs);
    const dayStartMs = counter.windowStartOf('day', startTimeMs);
    if (dayStartMs < counter.windows.day.startMs) return; // counts in a day that is over
    const entry: PendingCall<ProviderCounter> = { id, counter, hourStartMs, dayStartMs, tokens, ackedAtMs: undefined, removed: false };
    this._pending.add(entry);
    counter.addLocal(entry);
    if (this._pending.size > this._maxPendingCalls) this._foldOldest();
  }

  /** The control plane durably stored these records at `ackMs`: the next state generated after that includes them. */
  acknowledge(ids: readonly string[], ackMs = Date.now()): void {
    for (const id of ids) {
      const entry = this._pending.get(id);
      if (entry !== undefined) entry.ackedAtMs = ackMs;
    }
  }

  /** What a counter holds now (tests, diagnostics); undefined when the provider has no limits for the org. */
  usage(org: string | undefined, provider: string, nowMs = Date.now()): ProviderCounterView | undefined {
    const state = this.settings(org, provider);
    if (state === undefined) return undefined;
    const counter = this._counterFor(org, provider, state, nowMs);
    if (counter === undefined) return undefined;
    this._roll(counter, nowMs);
    return {
      hourRequests: counter.requests('hour'),
      hourTokens: counter.tokens('hour'),
      dayRequests: counter.requests('day'),
      dayTokens: counter.tokens('day'),
      inflightRequests: counter.inflightRequests,
      inflightTokens: counter.inflightTokens,
      hourResetAt: new Date(counter.windows.hour.endMs),
      dayResetAt: new Date(counter.windows.day.endMs),
    };
  }

  private _overLimit(counter: ProviderCounter, org: string | undefined, provider: string, estimate: number, nowMs: number): ProviderUnavailableError | undefined {
    this._roll(counter, nowMs);
    const limits = counter.limits;
    // Request limits first (hour, day), then token limits: the order refusals were always reported in.
    if (limits.hourly_requests !== undefined) {
      const used = counter.requests('hour') + counter.inflightRequests;
      if (used + 1 > limits.hourly_requests) return refusal(org, provider, 'hourly_requests', limits.hourly_requests, used, counter.windows.hour.endMs);
    }
    if (limits.daily_requests !== undefined) {
      const used = counter.requests('day') + counter.inflightRequests;
      if (used + 1 > limits.daily_requests) return refusal(org, provider, 'daily_requests', limits.daily_requests, used, counter.windows.day.endMs);
    }
    if (limits.hourly_tokens !== undefined) {
      const used = counter.tokens('hour') + counter.inflightTokens;
      if (used >= limits.hourly_tokens || used + estimate > limits.hourly_tokens) {
        return refusal(org, provider, 'hourly_tokens', limits.hourly_tokens, Math.round(used), counter.windows.hour.endMs);
      }
    }
    if (limits.daily_tokens !== undefined) {
      const used = counter.tokens('day') + counter.inflightTokens;
      if (used >= limits.daily_tokens || used + estimate > limits.daily_tokens) {
        return refusal(org, provider, 'daily_tokens', limits.daily_tokens, Math.round(used), counter.windows.day.endMs);
      }
    }
    return undefined;
  }

  /** The counter of (org, provider), created when the provider has limits; undefined when it has none. */
  private _counterFor(org: string | undefined, provider: string, state: ProviderState, nowMs: number): ProviderCounter | undefined {
    const key = org ?? '';
    let byProvider = this._counters.get(key);
    let counter = byProvider?.get(provider);
    if (counter === undefined) {
      if (!hasLimits(state.limits)) return undefined;
      if (byProvider === undefined) this._counters.set(key, (byProvider = new Map()));
      counter = new ProviderCounter();
      byProvider.set(provider, counter);
      this._refreshCounter(key, provider, counter);
      this._roll(counter, nowMs);
    }
    return counter.hasLimits ? counter : undefined;
  }

  /** Loads limits and the exact baseline of one counter from the current settings. */
  private _refreshCounter(orgKey: string, provider: string, counter: ProviderCounter): void {
    const org = orgKey === '' ? undefined : orgKey;
    const state = this.settings(org, provider);
    counter.limits = state?.limits ?? {};
    counter.hasLimits = state !== undefined && hasLimits(state.limits);
    // Usage is per concrete org: only an entry for this org carries it.
    const usage = org === undefined ? undefined : this._settings.get(org)?.get(provider)?.usage;
    if (usage !== undefined) {
      const hourStart = Date.parse(usage.hour_start);
      const dayStart = Date.parse(usage.day_start);
      counter.base.hour.set(hourStart, usage.hour_requests, usage.hour_tokens);
      counter.base.day.set(dayStart, usage.day_requests, usage.day_tokens);
      if (!Number.isNaN(hourStart)) counter.windows.hour.anchorMs = hourStart % WINDOW_MS.hour;
      if (!Number.isNaN(dayStart)) counter.windows.day.anchorMs = dayStart % WINDOW_MS.day;
      if (counter.averageTokens === 0 && usage.day_requests > 0) counter.averageTokens = usage.day_tokens / usage.day_requests;
    } else {
      // No usage reported for this org and provider: the fleet has none in the current windows.
      for (const window of LIMIT_WINDOWS) counter.base[window].set(Number.NaN);
    }
    // Force the windows onto the (possibly new) anchors at the next roll.
    counter.invalidateWindows();
  }

  /** Moves a counter's windows to `nowMs`, recounting its local calls when they moved. */
  private _roll(counter: ProviderCounter, nowMs: number): void {
    if (counter.moveWindows(nowMs)) this._recount(counter, nowMs);
  }

  /** Recounts local sums from the pending calls: of one counter, or of all (after a new state). */
  private _recount(only: ProviderCounter | undefined, nowMs: number): void {
    for (const byProvider of this._counters.values()) {
      for (const counter of byProvider.values()) {
        if (only !== undefined && counter !== only) continue;
        counter.moveWindows(nowMs);
        counter.resetLocal();
      }
    }
    this._pending.forEachOldestFirst((entry) => {
      if (only !== undefined && entry.counter !== only) return;
      if (!entry.counter.addLocal(entry)) this._pending.remove(entry);
    });
  }

  /** The pending table is full: the oldest call stays counted (until its window ends) but can no longer be retired by an ack. */
  private _foldOldest(): void {
    const oldest = this._pending.shiftOldest();
    if (oldest === undefined) return;
    oldest.counter.sticky.hour.addIn(oldest.hourStartMs, oldest.tokens);
    oldest.counter.sticky.day.addIn(oldest.dayStartMs, oldest.tokens);
  }
}

/** Keeps only finite numeric limits (a JSON null or a missing object means unlimited). */
function normalizeLimits(limits: ProviderLimits | null | undefined): ProviderLimits {
  const out: ProviderLimits = {};
  if (limits === null || limits === undefined) return out;
  for (const name of ['hourly_requests', 'daily_requests', 'hourly_tokens', 'daily_tokens'] as const) {
    const value = limits[name];
    if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
  }
  return out;
}

function hasLimits(limits: ProviderLimits): boolean {
  return (
    limits.hourly_requests !== undefined ||
    limits.daily_requests !== undefined ||
    limits.hourly_tokens !== undefined ||
    limits.daily_tokens !== undefined
  );
}

function refusal(org: string | undefined, provider: string, limitName: ProviderLimitName, limit: number, usage: number, resetMs: number): ProviderUnavailableError {
  return new ProviderUnavailableError({ provider, org, reason: 'rate_limited', limitName, limit, usage, resetAt: new Date(resetMs) });
}
