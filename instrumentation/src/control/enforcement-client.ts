/**
 * Keeps the control plane's enforcement state (blocks, provider settings and
 * usage) in memory: an SSE stream (`GET /api/v1/enforcement/stream`, one full
 * `state` event per change) reconnected with jittered back-off, and ETag
 * polling of `GET /api/v1/enforcement` while the stream is down. Tracks
 * whether the control plane is reachable, for fail-open / fail-closed.
 */
import type * as Http from 'node:http';
import type { ClientRequest } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type * as EventsourceParser from 'eventsource-parser';
import type { EnforcementState } from '../protocol.js';
import { backoffMillis } from './backoff.js';
import type { Logger } from './logger.js';
import type { ControlMetrics } from './metrics.js';

/**
 * `node:http(s)` load with the first stream: their ES module facades cost tens of ms of start-up (they load tls).
 * So does the SSE parser (~4 ms): a process with no control plane never loads it.
 */
const lazyRequire = createRequire(import.meta.url);

export interface EnforcementClientOptions {
  /** Base URL of the control plane. */
  url: string;
  token?: string | undefined;
  /** Called with every new state (a full snapshot). */
  onState: (state: EnforcementState) => void;
  /** Called when the control plane becomes reachable or unreachable. */
  onAvailability?: (available: boolean) => void;
  /** First reconnect delay; doubles (with jitter) up to `reconnectMaxMillis`. Defaults 250 ms, 30 s. */
  reconnectInitialMillis?: number;
  reconnectMaxMillis?: number;
  /** Poll interval while the stream is down (default 5 s). */
  pollIntervalMillis?: number;
  /** No byte on the stream for this long (the server sends a heartbeat every 15 s) → reconnect. Default 45 s. */
  staleAfterMillis?: number;
  /** Timeout of one connect or poll request (default 5 s). */
  requestTimeoutMillis?: number;
  logger: Logger;
  metrics?: ControlMetrics | undefined;
  fetch?: typeof fetch;
}

/** Reachability of the control plane as the SDK sees it. */
export type LinkStatus = 'connecting' | 'up' | 'down';

/** Largest SSE event accepted (a snapshot with many blocks is large, but not unbounded). */
const MAX_EVENT_BYTES = 64 * 1024 * 1024;

export class EnforcementClient {
  private readonly _options: EnforcementClientOptions;
  private readonly _streamUrl: string;
  private readonly _pollUrl: string;
  private readonly _headers: Record<string, string>;
  private readonly _fetch: typeof fetch;
  private _state: EnforcementState | undefined;
  private _streaming = false;
  /** `connecting` until the first answer; `down` once a poll failed while the stream was down. */
  private _status: LinkStatus = 'connecting';
  private _stopped = false;
  private _started = false;
  private _streamRequest: ClientRequest | undefined;
  private _sleepTimer: NodeJS.Timeout | undefined;
  private _wake: (() => void) | undefined;
  private _pollTimer: NodeJS.Timeout | undefined;
  private _polling = false;
  private _warnedAuth = false;
  private _readyWaiters: (() => void)[] = [];
  private _loop: Promise<void> | undefined;

  constructor(options: EnforcementClientOptions) {
    this._options = options;
    this._streamUrl = new URL('/api/v1/enforcement/stream', options.url).toString();
    this._pollUrl = new URL('/api/v1/enforcement', options.url).toString();
    this._headers = {};
    if (options.token !== undefined && options.token !== '') this._headers.authorization = `Bearer ${options.token}`;
    this._fetch = options.fetch ?? fetch;
  }

  /** The latest state, if one was received. */
  get state(): EnforcementState | undefined {
    return this._state;
  }

  /** Whether the control plane is reachable now (stream open, or the last poll answered). */
  get available(): boolean {
    return this._status === 'up';
  }

  /** `connecting` (no answer yet), `up` or `down`. */
  get status(): LinkStatus {
    return this._status;
  }

  /** Whether the live stream is open. */
  get streaming(): boolean {
    return this._streaming;
  }

  /** Starts the stream and the fallback polling. */
  start(): void {
    if (this._started) return;
    this._started = true;
    this._loop = this._run();
    this._schedulePoll(0);
  }

  /** Resolves true once a state has been received, false after `timeoutMillis`. */
  ready(timeoutMillis = 5000): Promise<boolean> {
    if (this._state !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMillis);
      timer.unref();
      this._readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Applies a state obtained another way (the fail-closed start-up wait's
   * synchronous fetch), unless a newer one already arrived; false when
   * `json` is not a valid state.
   */
  offerState(json: string): boolean {
    let state: unknown;
    try {
      state = JSON.parse(json);
    } catch {
      return false;
    }
    if (!isState(state)) return false;
    if (this._state === undefined || state.revision > this._state.revision) this._apply(state);
    return true;
  }

  /** Stops streaming and polling; idempotent. */
  async stop(): Promise<void> {
    this._stopped = true;
    this._streamRequest?.destroy();
    if (this._pollTimer !== undefined) clearTimeout(this._pollTimer);
    if (this._sleepTimer !== undefined) clearTimeout(this._sleepTimer);
    this._wake?.();
    await this._loop;
  }

  private async _run(): Promise<void> {
    let failures = 0;
    while (!this._stopped) {
      let gotState = false;
      try {
        gotState = await this._stream();
      } catch (error) {
        if (!this._stopped) this._onStreamError(error);
      }
      this._streaming = false;
      if (this._stopped) break;
      failures = gotState ? 1 : failures + 1;
      // The stream is down: poll now so availability reflects reality quickly.
      this._schedulePoll(0);
      await this._sleep(backoffMillis(failures, this._options.reconnectInitialMillis ?? 250, this._options.reconnectMaxMillis ?? 30_000));
    }
  }

  /**
   * One stream connection; resolves (true when it delivered a state) when it
   * ends. Uses node:http rather than fetch so the socket can be unref'd: an
   * open feed must not keep the app's process alive.
   */
  private _stream(): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const url = new URL(this._streamUrl);
      const request = (url.protocol === 'https:' ? (lazyRequire('node:https') as typeof Https).request : (lazyRequire('node:http') as typeof Http).request)(url, {
        headers: { ...this._headers, accept: 'text/event-stream' },
        agent: false,
      });
      this._streamRequest = request;
      let gotState = false;
      let settled = false;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        request.destroy();
        if (error === undefined || this._stopped) resolve(gotState);
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      const connectTimer = setTimeout(() => finish(new Error('connect timeout')), this._options.requestTimeoutMillis ?? 5000);
      connectTimer.unref();
      request.on('socket', (socket) => socket.unref());
      request.on('error', (error) => finish(error));
      // No byte for this long (heartbeats come every 15 s): the connection is dead.
      request.setTimeout(this._options.staleAfterMillis ?? 45_000, () => finish(new Error('enforcement stream stalled')));
      request.on('response', (response) => {
        clearTimeout(connectTimer);
        response.setEncoding('utf8');
        if (response.statusCode !== 200) {
          let body = '';
          response.on('data', (chunk: string) => {
            if (body.length < 1000) body += chunk;
          });
          response.on('end', () => finish(new HttpStatusError(response.statusCode ?? 0, body)));
          response.on('error', (error) => finish(error));
          return;
        }
        const { createParser } = lazyRequire('eventsource-parser') as typeof EventsourceParser;
        const parser = createParser({
          maxBufferSize: MAX_EVENT_BYTES,
          onEvent: (event) => {
            if (event.event === 'state' && this._accept(event.data)) gotState = true;
          },
          onError: (error) => finish(error),
        });
        response.on('data', (chunk: string) => {
          try {
            parser.feed(chunk);
          } catch (error) {
            finish(error);
          }
        });
        response.on('end', () => finish());
        response.on('error', (error) => finish(error));
        response.on('aborted', () => finish(new Error('enforcement stream aborted')));
      });
      request.end();
    });
  }

  /** Parses and applies a state from the stream or a poll; false when it is not a valid state. */
  private _accept(json: string): boolean {
    let state: EnforcementState;
    try {
      state = JSON.parse(json) as EnforcementState;
    } catch {
      this._options.logger.warn('tokenmeter: ignoring an enforcement state that is not valid JSON');
      return false;
    }
    if (!isState(state)) {
      this._options.logger.warn('tokenmeter: ignoring an enforcement state without revision, blocks and providers');
      return false;
    }
    this._streaming = true;
    this._apply(state);
    return true;
  }

  private _apply(state: EnforcementState): void {
    this._state = state;
    this._setStatus('up');
    try {
      this._options.onState(state);
    } catch (error) {
      this._options.logger.warn(`tokenmeter: applying the enforcement state failed: ${String(error)}`);
    }
    const waiters = this._readyWaiters;
    this._readyWaiters = [];
    for (const wake of waiters) wake();
  }

  private _schedulePoll(delayMillis: number): void {
    if (this._stopped) return;
    if (this._pollTimer !== undefined) clearTimeout(this._pollTimer);
    this._pollTimer = setTimeout(() => {
      this._pollTimer = undefined;
      if (this._streaming) return; // the stream delivers; polling resumes when it drops
      void this._poll().finally(() => this._schedulePoll(this._options.pollIntervalMillis ?? 5000)); // errors handled inside
    }, delayMillis);
    this._pollTimer.unref();
  }

  private async _poll(): Promise<void> {
    if (this._polling || this._stopped) return;
    this._polling = true;
    try {
      const headers: Record<string, string> = { ...this._headers, accept: 'application/json' };
      if (this._state !== undefined) headers['if-none-match'] = `"${this._state.revision}"`;
      const response = await this._fetch(this._pollUrl, {
        headers,
        signal: AbortSignal.timeout(this._options.requestTimeoutMillis ?? 5000),
      });
      const text = await response.text();
      if (response.status === 304) {
        this._pollAnswered(true);
      } else if (response.ok) {
        let state: unknown;
        try {
          state = JSON.parse(text);
        } catch {
          state = undefined;
        }
        this._pollAnswered(isState(state));
        if (isState(state) && !this._streaming) this._apply(state);
      } else {
        this._pollAnswered(false);
        this._warnAuth(response.status);
      }
    } catch {
      this._pollAnswered(false);
    } finally {
      this._polling = false;
    }
  }

  private _pollAnswered(ok: boolean): void {
    if (ok) this._setStatus('up');
    else if (!this._streaming) this._setStatus('down');
  }

  private _setStatus(status: LinkStatus): void {
    if (status === this._status) return;
    const previous = this._status;
    this._status = status;
    if (status === 'down') {
      this._options.metrics?.outage();
      this._options.logger.warn(`tokenmeter: the control plane at ${this._options.url} is unreachable; enforcement goes on with the last known state (mode decides: fail-open lets calls through, fail-closed refuses)`);
    } else if (previous === 'down') {
      this._options.logger.info('tokenmeter: the control plane is reachable again; enforcement state is current');
    }
    this._options.onAvailability?.(status === 'up');
  }

  private _onStreamError(error: unknown): void {
    if (error instanceof HttpStatusError) this._warnAuth(error.status);
  }

  private _warnAuth(status: number): void {
    if ((status === 401 || status === 403) && !this._warnedAuth) {
      this._warnedAuth = true;
      this._options.logger.warn(`tokenmeter: the control plane refused the enforcement feed with HTTP ${status}; check TOKENMETER_API_TOKEN (ingest role)`);
    }
  }

  private _sleep(millis: number): Promise<void> {
    return new Promise((resolve) => {
      this._wake = resolve;
      this._sleepTimer = setTimeout(resolve, millis);
      this._sleepTimer.unref();
    });
  }
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status} ${body.slice(0, 200)}`);
  }
}

function isState(value: unknown): value is EnforcementState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<EnforcementState>;
  return typeof state.revision === 'number' && Array.isArray(state.blocks) && Array.isArray(state.providers);
}
