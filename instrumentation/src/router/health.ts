/**
 * A circuit breaker per provider: after `failures` consecutive failures
 * (429, 5xx, timeouts, connection errors) the provider cools down for
 * `millis`; then exactly one real call is let through as a probe. Its
 * success closes the breaker; its failure starts a new cool-down.
 */

export interface CooldownOptions {
  /** Consecutive failures that start a cool-down (default 3). */
  failures?: number;
  /** Length of a cool-down (default 30 s). */
  millis?: number;
}

/** `closed` healthy; `open` cooling down; `half-open` cool-down over, a probe may go (or is in flight). */
export type BreakerState = 'closed' | 'open' | 'half-open';

export class ProviderHealth {
  private readonly _threshold: number;
  private readonly _cooldownMillis: number;
  private _consecutive = 0;
  private _openUntilMs = 0;
  private _open = false;
  private _probeInFlight = false;

  constructor(options: CooldownOptions = {}) {
    this._threshold = options.failures ?? 3;
    this._cooldownMillis = options.millis ?? 30_000;
    if (!Number.isInteger(this._threshold) || this._threshold < 1) throw new RangeError(`tokenmeter: cooldown.failures must be an integer >= 1, got ${this._threshold}`);
    if (!Number.isFinite(this._cooldownMillis) || this._cooldownMillis < 0) throw new RangeError(`tokenmeter: cooldown.millis must be >= 0, got ${this._cooldownMillis}`);
  }

  state(nowMs = Date.now()): BreakerState {
    if (!this._open) return 'closed';
    return nowMs < this._openUntilMs ? 'open' : 'half-open';
  }

  /** Consecutive failures so far. */
  get consecutiveFailures(): number {
    return this._consecutive;
  }

  /**
   * Whether a call may use the provider now: `call` (healthy), `probe` (the
   * caller is the one probe after a cool-down; report its end), or `skip`.
   */
  admit(nowMs = Date.now()): 'call' | 'probe' | 'skip' {
    if (!this._open) return 'call';
    if (nowMs < this._openUntilMs || this._probeInFlight) return 'skip';
    this._probeInFlight = true;
    return 'probe';
  }

  success(): void {
    this._consecutive = 0;
    this._open = false;
    this._probeInFlight = false;
  }

  /** Counts a failure; true when it started a cool-down. */
  failure(nowMs = Date.now()): boolean {
    this._consecutive += 1;
    const wasProbe = this._probeInFlight;
    this._probeInFlight = false;
    if (wasProbe || (!this._open && this._consecutive >= this._threshold)) {
      this._open = true;
      this._openUntilMs = nowMs + this._cooldownMillis;
      return true;
    }
    return false;
  }

  /** A probe ended with neither a success nor a provider failure (refused, bad request): let another call probe. */
  release(): void {
    this._probeInFlight = false;
  }
}
