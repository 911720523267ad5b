/**
 * A computation too slow for a scrape, for `/metrics`: the scrape publishes
 * the last completed result and, when its owner finds that stale, starts a
 * new one here, in the background (the month-end forecast,
 * month-end-forecast.ts; the ledger anomaly detection, analytics/monitor.ts):
 * - one at a time: a start while one runs is ignored;
 * - it begins once the scrape that started it has answered, and its body
 *   takes a `turn()` between steps (subjects): SQLite reads are synchronous,
 *   so requests (scrapes among them) get the store between two steps;
 * - a failure keeps the last result, is reported once per run of failures
 *   (`onError`), counted, and retried no sooner than `retryMillis` later; the
 *   first success after failures is reported (`onInfo`); nothing here throws
 *   or leaves a rejected promise;
 * - `close()` stops it at its next turn and waits for it (the control plane
 *   closes its owners before the store).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Gives requests a turn; false once closed (the body then stops and returns undefined). */
export type Turn = () => Promise<boolean>;

/** A computation's body: the result to publish, or undefined when a turn said stop. */
export type ComputationBody<T> = (turn: Turn) => Promise<T | undefined>;

export interface BackgroundComputationOptions {
  /** What is computed, for the log lines (e.g. `month-end forecast for /metrics`). */
  what: string;
  /** Least time between a failed start and the next one, ms. */
  retryMillis: number;
  /** A failed computation (the first of a run of failures); default: none. */
  onError?: (error: unknown) => void;
  /** Recovery after failures. */
  onInfo?: (message: string, data?: object) => void;
}

/** Computations since start, by result. */
export interface ComputationStats {
  completed: number;
  failed: number;
}

/** The wall time of a published computation, besides its result. */
export interface Timed {
  /** ms, from its first step to its end (turns given to requests included). */
  readonly durationMs: number;
}

export class BackgroundComputation<T extends object> {
  private _published: (T & Timed) | undefined;
  private _running: Promise<void> | undefined;
  private _lastStartMs = -Infinity;
  private _failing = false;
  private _closed = false;
  private readonly _stats: ComputationStats = { completed: 0, failed: 0 };
  private readonly _what: string;
  private readonly _retryMillis: number;
  private readonly _onError: (error: unknown) => void;
  private readonly _onInfo: (message: string, data?: object) => void;
  private readonly _turn: Turn = async () => {
    await nextTurn();
    return !this._closed;
  };

  constructor(options: BackgroundComputationOptions) {
    this._what = options.what;
    this._retryMillis = options.retryMillis;
    this._onError = options.onError ?? (() => {});
    this._onInfo = options.onInfo ?? (() => {});
  }

  /** The last completed result; undefined before the first completes. */
  get published(): (T & Timed) | undefined {
    return this._published;
  }

  /** Whether a computation is in flight. */
  get computing(): boolean {
    return this._running !== undefined;
  }

  get stats(): Readonly<ComputationStats> {
    return this._stats;
  }

  /**
   * Starts `body` in the background at `nowMs` (the service clock) unless one is in flight, it is
   * closed, or the last start failed less than `retryMillis` ago (a broken store is not hammered
   * once a scrape). Returns whether it started.
   */
  start(nowMs: number, body: ComputationBody<T>): boolean {
    const sinceAttempt = nowMs - this._lastStartMs;
    const mayRetry = !this._failing || sinceAttempt >= this._retryMillis || sinceAttempt < 0;
    if (this._running !== undefined || this._closed || !mayRetry) return false;
    this._lastStartMs = nowMs;
    this._running = this._run(body)
      // A throwing log handler must not leave a rejected promise behind (nothing awaits this one but `settled()`).
      .catch(() => {})
      .finally(() => {
        this._running = undefined;
      });
    return true;
  }

  /** Resolves when the computation in flight (if any) has completed, failed or stopped; never rejects. */
  async settled(): Promise<void> {
    await this._running;
  }

  /** Stops starting computations and waits for the one in flight, which stops at its next turn. Idempotent. */
  async close(): Promise<void> {
    this._closed = true;
    await this._running;
  }

  private async _run(body: ComputationBody<T>): Promise<void> {
    // Let the scrape that started it answer first.
    if (!(await this._turn())) return;
    const started = performance.now();
    let result: T | undefined;
    try {
      result = await body(this._turn);
    } catch (error: unknown) {
      this._stats.failed++;
      if (this._failing) return;
      this._failing = true;
      const message = error instanceof Error ? error.message : String(error);
      this._onError(new Error(`${this._what} failed (the last figures stay published; retried in ${this._retryMillis / 1000} s): ${message}`, { cause: error }));
      return;
    }
    if (result === undefined) return;
    this._published = { ...result, durationMs: performance.now() - started };
    this._stats.completed++;
    if (this._failing) {
      this._failing = false;
      this._onInfo(`${this._what} computed again after failures`, { failed: this._stats.failed });
    }
  }
}
