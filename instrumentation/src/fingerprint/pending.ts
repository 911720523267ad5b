/**
 * Fingerprints are computed after the call, off the caller's path: a finished
 * call carries a `PendingFingerprint`, computed (and its captured request
 * dropped) in the after-call batch (`core/after-call.ts`), or earlier by
 * whoever reads it first. The call's span ends once it is known. With no
 * span and no reader registered (`demandFingerprints`), nothing is queued:
 * the fingerprint is computed only if a sink reads it, so work nobody
 * consumes is not done (it was most of the SDK's added time per call).
 */
import type { PromptFingerprint } from '../protocol.js';
import { deferAfterCall, type AfterCallTask } from '../core/after-call.js';
import { computeFingerprint, fingerprintKey, type PromptCapture } from './fingerprint.js';

export class PendingFingerprint implements AfterCallTask {
  private _capture: PromptCapture | undefined;
  private _value: PromptFingerprint | undefined;
  private _listeners: ((value: PromptFingerprint | undefined) => void)[] | undefined;
  /** The key in force when the call ended (a reconfiguration later does not apply to it). */
  private readonly _key = fingerprintKey();

  constructor(
    capture: PromptCapture,
    private readonly _inputTokens: number,
    private readonly _maxOutputTokens: number | undefined,
    private readonly _finishReason: string | undefined,
    private readonly _onError: (error: unknown) => void,
  ) {
    this._capture = capture;
  }

  /** The fingerprint (computed now if not yet); undefined when the request could not be read. */
  get value(): PromptFingerprint | undefined {
    this.compute();
    return this._value;
  }

  /** Whether it has been computed. */
  get settled(): boolean {
    return this._capture === undefined;
  }

  /** Calls `listener` once the fingerprint is known (at once when it is). */
  onSettled(listener: (value: PromptFingerprint | undefined) => void): void {
    if (this._capture === undefined) listener(this._value);
    else (this._listeners ??= []).push(listener);
  }

  /** Computes it once and releases the captured request. */
  compute(): void {
    const capture = this._capture;
    if (capture === undefined) return;
    this._capture = undefined;
    try {
      this._value = computeFingerprint(capture(), this._key, this._inputTokens, this._maxOutputTokens, this._finishReason);
    } catch (error) {
      this._onError(error);
    }
    const listeners = this._listeners;
    this._listeners = undefined;
    for (const listener of listeners ?? []) {
      try {
        listener(this._value);
      } catch (error) {
        this._onError(error);
      }
    }
  }

  /** As the after-call batch runs it. */
  run(): void {
    this.compute();
  }

  toJSON(): PromptFingerprint | undefined {
    return this.value;
  }
}

let demand = 0;

/**
 * Registers a reader of fingerprints after the call (the control-plane reporter): while one is
 * registered every fingerprint is computed in the next batch, which also releases the captured
 * request before records wait in a buffer. Returns the release.
 */
export function demandFingerprints(): () => void {
  demand += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    demand -= 1;
  };
}

/** Whether a registered reader will want every fingerprint. */
export function fingerprintsInDemand(): boolean {
  return demand > 0;
}

/** Queues `pending` for the after-call batch; returns it. */
export function deferFingerprint(pending: PendingFingerprint): PendingFingerprint {
  deferAfterCall(pending);
  return pending;
}
