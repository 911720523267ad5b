/**
 * The per-call decision, registered with `addGate`: runs before a request
 * leaves the process, from memory only. In order: the control plane's
 * reachability (fail-closed refuses, fail-open counts and goes on), the
 * blocks that apply to the call's attribution and provider, the provider's
 * settings for the org (disabled) and its limits (atomic check-and-reserve).
 * The matching sink settles each finished call's reservation.
 */
import { currentCallScope } from '../core/call-scope.js';
import type { CallDescriptor, FinishedCall } from '../core/hooks.js';
import type { EnforcementState } from '../protocol.js';
import { BlockIndex } from './block-index.js';
import { ProviderUnavailableError, QuotaExceededError } from './errors.js';
import type { LinkStatus } from './enforcement-client.js';
import type { ControlMetrics } from './metrics.js';
import { ProviderPolicy } from './provider-limits.js';

/** What to do when the control plane cannot be reached (`off` registers no gate at all). */
export type UnavailableMode = 'fail-open' | 'fail-closed';

export interface EnforcerOptions {
  mode: UnavailableMode;
  /** Reachability of the control plane now (`connecting` until its first answer). */
  status: () => LinkStatus;
  metrics?: ControlMetrics | undefined;
  policy?: ProviderPolicy;
  /**
   * Fail-closed, before the first state: tries once (bounded) to obtain it
   * synchronously; true when a state is now in force. Absent: no wait.
   */
  awaitFirstState?: (() => boolean) | undefined;
}

export class Enforcer {
  readonly policy: ProviderPolicy;
  private _blocks = new BlockIndex();
  private readonly _mode: UnavailableMode;
  private readonly _status: () => LinkStatus;
  private readonly _metrics: ControlMetrics | undefined;
  private readonly _awaitFirstState: (() => boolean) | undefined;

  constructor(options: EnforcerOptions) {
    this._mode = options.mode;
    this._status = options.status;
    this._metrics = options.metrics;
    this._awaitFirstState = options.awaitFirstState;
    this.policy = options.policy ?? new ProviderPolicy();
  }

  get mode(): UnavailableMode {
    return this._mode;
  }

  /** The blocks in force. */
  get blocks(): BlockIndex {
    return this._blocks;
  }

  /** Loads a new state from the control plane. */
  applyState(state: EnforcementState): void {
    this._blocks = new BlockIndex(state.blocks);
    this.policy.applyState(state);
  }

  /** The gate: throws the refusal, returns to let the call through. */
  readonly gate = (call: CallDescriptor): void => {
    const status = this._currentStatus();
    if (status !== 'up') {
      // fail-closed refuses without a current state (before the first one, too); fail-open goes on with the last one.
      if (this._mode === 'fail-closed') {
        this._metrics?.unavailableCall(this._mode);
        this._metrics?.refusal('enforcement_unavailable', call.provider);
        throw new ProviderUnavailableError({ provider: call.provider, org: call.attribution.org, reason: 'enforcement_unavailable' });
      }
      if (status === 'down') this._metrics?.unavailableCall(this._mode);
    }
    const block = this._blocks.find(call.attribution, call.provider);
    if (block !== undefined) {
      this._metrics?.refusal('quota', call.provider, block.scope);
      throw new QuotaExceededError(block);
    }
    if (this.policy.empty) return;
    const refusal = this.policy.acquire(call.attribution.org, call.provider, currentCallScope()?.tokenEstimate ?? call.maxOutputTokens);
    if (refusal !== undefined) {
      this._metrics?.refusal(refusal.reason, call.provider);
      throw refusal;
    }
  };

  /** The sink: a finished call releases its reservation and counts locally. */
  readonly sink = (call: FinishedCall): void => {
    if (call.outcome === 'blocked') return; // refused before it reserved anything
    if (this.policy.empty) return;
    const tokens = call.tokens;
    const total = tokens.input + tokens.output + tokens.cache_read + tokens.cache_write + tokens.reasoning;
    this.policy.settle(call.attribution.org, call.provider, call.id, call.startTimeMs, total);
  };

  /** The link's status; fail-closed before the first state first waits for it (once, bounded). */
  private _currentStatus(): LinkStatus {
    const status = this._status();
    if (status === 'connecting' && this._mode === 'fail-closed' && this._awaitFirstState?.() === true) return this._status();
    return status;
  }

  /** Whether a call with this attribution to `provider` would be refused now, without reserving (the router's pre-check). */
  refusalFor(org: string | undefined, attribution: CallDescriptor['attribution'], provider: string, tokenEstimate?: number): Error | undefined {
    if (this._mode === 'fail-closed' && this._currentStatus() !== 'up') {
      return new ProviderUnavailableError({ provider, org, reason: 'enforcement_unavailable' });
    }
    const block = this._blocks.find(attribution, provider);
    if (block !== undefined) return new QuotaExceededError(block);
    return this.policy.check(org, provider, tokenEstimate);
  }
}
