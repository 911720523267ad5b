/**
 * The usage reporter: a sink that turns every finished call into a ledger
 * record and delivers them to the control plane in batches
 * (`POST /api/v1/usage`). Memory is bounded (drop-oldest, counted, warned
 * once); a failed batch is retried with back-off keeping the same ids (the
 * ledger de-duplicates on them); exports run one at a time with a timeout.
 */
import type { FinishedCall } from '../core/hooks.js';
import type { UsageRecord } from '../protocol.js';
import { formatUsd } from '../pricing/index.js';
import type { ControlMetrics } from './metrics.js';
import type { Logger } from './logger.js';
import { backoffMillis } from './backoff.js';

export interface UsageReporterOptions {
  /** Base URL of the control plane. */
  url: string;
  token?: string | undefined;
  /** How often buffered records are sent (default 1000 ms). */
  reportIntervalMillis?: number;
  /** Most records kept in memory; beyond, the oldest are dropped (default 10,000). */
  maxBufferedRecords?: number;
  /** Most records per request (default 1,000; the control plane takes up to 5,000). */
  maxBatchRecords?: number;
  /** Timeout of one delivery (default 10 s). */
  exportTimeoutMillis?: number;
  /** First retry delay after a failed delivery; doubles up to `maxRetryMillis` (defaults 500 ms, 30 s). */
  initialRetryMillis?: number;
  maxRetryMillis?: number;
  /** `service.name`, written into each record. */
  serviceName?: string | undefined;
  /**
   * Also send calls the SDK refused (outcome `blocked`; default false). The
   * control plane counts every record as a request in its period totals, so
   * refused calls would count against request quotas and provider limits.
   */
  reportBlockedCalls?: boolean | undefined;
  /** Told which ids the control plane stored durably, and when. */
  onAcknowledged?: (ids: readonly string[], ackMs: number) => void;
  logger: Logger;
  metrics?: ControlMetrics | undefined;
  fetch?: typeof fetch;
}

/** Builds the ledger record of a finished call. */
export function toUsageRecord(call: FinishedCall, serviceName?: string): UsageRecord {
  const record: UsageRecord = {
    id: call.id,
    time: new Date(call.startTimeMs).toISOString(),
    provider: call.provider,
    operation: call.operation,
    tokens: { ...call.tokens },
    cost_usd: call.cost.priced ? formatUsd(call.cost.costPicoUsd) : null,
    price_id: call.cost.priceId ?? null,
    outcome: call.outcome,
    latency_ms: Math.max(0, Math.round(call.durationMs)),
    source: 'sdk',
  };
  const { org, department, user, feature, investigation, session, project } = call.attribution;
  if (org !== undefined) record.org = org;
  if (department !== undefined) record.department = department;
  if (user !== undefined) record.user = user;
  if (feature !== undefined) record.feature = feature;
  if (investigation !== undefined) record.investigation = investigation;
  if (session !== undefined) record.session = session;
  if (project !== undefined) record.project = project;
  if (call.requestModel !== undefined) record.request_model = call.requestModel;
  if (call.responseModel !== undefined) record.response_model = call.responseModel;
  if (call.serviceTier !== undefined) record.service_tier = call.serviceTier;
  if (call.errorType !== undefined) record.error_type = call.errorType;
  if (serviceName !== undefined) record.service = serviceName;
  return record;
}

export class UsageReporter {
  private readonly _endpoint: string;
  private readonly _headers: Record<string, string>;
  private readonly _intervalMillis: number;
  private readonly _maxBuffered: number;
  private readonly _maxBatch: number;
  private readonly _timeoutMillis: number;
  private readonly _initialRetryMillis: number;
  private readonly _maxRetryMillis: number;
  private readonly _options: UsageReporterOptions;
  private readonly _fetch: typeof fetch;
  /** Records waiting, oldest first; `_head` skips the ones already taken (amortised O(1) shift). */
  private _queue: UsageRecord[] = [];
  private _head = 0;
  /** A batch whose delivery failed: sent again, same ids, before anything newer. */
  private _retryBatch: UsageRecord[] | undefined;
  private _failures = 0;
  private _retryAtMs = 0;
  private _exporting: Promise<void> | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _soonScheduled = false;
  private _dropped = 0;
  private _warnedOverflow = false;
  private _warnedFailure = false;
  private _shutdown: Promise<void> | undefined;

  constructor(options: UsageReporterOptions) {
    this._options = options;
    this._endpoint = new URL('/api/v1/usage', options.url).toString();
    this._headers = { 'content-type': 'application/json' };
    if (options.token !== undefined && options.token !== '') this._headers.authorization = `Bearer ${options.token}`;
    this._intervalMillis = positive(options.reportIntervalMillis, 1000, 'reportIntervalMillis');
    this._maxBuffered = positive(options.maxBufferedRecords, 10_000, 'maxBufferedRecords');
    this._maxBatch = Math.min(positive(options.maxBatchRecords, 1000, 'maxBatchRecords'), 5000);
    this._timeoutMillis = positive(options.exportTimeoutMillis, 10_000, 'exportTimeoutMillis');
    this._initialRetryMillis = positive(options.initialRetryMillis, 500, 'initialRetryMillis');
    this._maxRetryMillis = positive(options.maxRetryMillis, 30_000, 'maxRetryMillis');
    this._fetch = options.fetch ?? fetch;
    this._schedule();
  }

  /** The sink registered with `addSink`. */
  readonly sink = (call: FinishedCall): void => {
    if (this._shutdown !== undefined) return;
    if (call.outcome === 'blocked' && this._options.reportBlockedCalls !== true) return;
    this.add(toUsageRecord(call, this._options.serviceName));
  };

  /** Buffers one record (dropping the oldest when full). */
  add(record: UsageRecord): void {
    this._queue.push(record);
    const over = this.buffered - this._maxBuffered;
    if (over > 0) this._dropOldest(over);
    if (this._queue.length - this._head >= this._maxBatch && !this._soonScheduled) {
      this._soonScheduled = true;
      setImmediate(() => {
        this._soonScheduled = false;
        void this._flushOnce(); // errors are handled inside
      }).unref();
    }
  }

  /** Records held in memory (waiting and being retried). */
  get buffered(): number {
    return this._queue.length - this._head + (this._retryBatch?.length ?? 0);
  }

  /** Records dropped so far because the buffer was full. */
  get dropped(): number {
    return this._dropped;
  }

  /** Sends everything buffered now; resolves when done or when a delivery fails (the rest waits for the next try). */
  async forceFlush(): Promise<void> {
    for (let rounds = 0; rounds < 1000; rounds++) {
      if (this._exporting !== undefined) await this._exporting;
      if (this.buffered === 0) return;
      const before = this._failures;
      this._retryAtMs = 0; // an explicit flush does not wait for the back-off
      await this._flushOnce();
      if (this._failures > before) return;
    }
  }

  /** Stops the timer and flushes once; idempotent. */
  shutdown(): Promise<void> {
    this._shutdown ??= (async () => {
      if (this._timer !== undefined) clearTimeout(this._timer);
      this._timer = undefined;
      await this.forceFlush();
      if (this.buffered > 0) {
        this._options.logger.warn(`tokenmeter: ${this.buffered} usage records could not be delivered to the control plane before shutdown`);
      }
    })();
    return this._shutdown;
  }

  private _schedule(): void {
    if (this._shutdown !== undefined) return;
    this._timer = setTimeout(() => {
      void this._flushOnce().finally(() => this._schedule()); // errors are handled inside
    }, this._intervalMillis);
    this._timer.unref();
  }

  /** One delivery at a time: the retry batch first, else the next batch from the queue. */
  private _flushOnce(): Promise<void> {
    if (this._exporting !== undefined) return this._exporting;
    if (this.buffered === 0 || Date.now() < this._retryAtMs) return Promise.resolve();
    this._exporting = this._export().finally(() => {
      this._exporting = undefined;
    });
    return this._exporting;
  }

  private async _export(): Promise<void> {
    const batch = this._retryBatch ?? this._take();
    this._retryBatch = undefined;
    if (batch.length === 0) return;
    let outcome: 'ok' | 'retry' | 'split' | 'drop';
    let invalid: Set<number> | undefined;
    try {
      const response = await this._fetch(this._endpoint, {
        method: 'POST',
        headers: this._headers,
        body: JSON.stringify({ records: batch }),
        signal: AbortSignal.timeout(this._timeoutMillis),
      });
      const text = await response.text();
      if (response.ok) {
        outcome = 'ok';
      } else if (response.status === 413 && batch.length > 1) {
        outcome = 'split';
      } else if (response.status === 400) {
        invalid = invalidIndexes(text, batch.length);
        outcome = 'drop';
        this._options.logger.warn(`tokenmeter: the control plane rejected usage records: ${text.slice(0, 500)}`);
      } else {
        outcome = 'retry';
        this._warnFailure(`HTTP ${response.status} ${text.slice(0, 200)}`);
      }
    } catch (error) {
      outcome = 'retry';
      this._warnFailure(error instanceof Error ? error.message : String(error));
    }
    switch (outcome) {
      case 'ok':
        this._failures = 0;
        this._retryAtMs = 0;
        this._warnedFailure = false;
        this._options.metrics?.exported(batch.length);
        this._options.onAcknowledged?.(
          batch.map((record) => record.id),
          Date.now(),
        );
        return;
      case 'split': {
        // Too large: send the halves separately (the second waits at the front of the queue).
        const half = Math.ceil(batch.length / 2);
        this._retryBatch = batch.slice(0, half);
        this._unshift(batch.slice(half));
        return;
      }
      case 'drop': {
        // Invalid records can never be stored; keep the valid ones when the error names the bad ones.
        if (invalid !== undefined && invalid.size < batch.length) {
          this._retryBatch = batch.filter((_, index) => !invalid.has(index));
          this._options.metrics?.dropped(invalid.size);
          this._dropped += invalid.size;
        } else {
          this._options.metrics?.dropped(batch.length);
          this._dropped += batch.length;
        }
        return;
      }
      case 'retry':
        this._failures += 1;
        this._options.metrics?.failure();
        this._retryBatch = batch;
        this._retryAtMs = Date.now() + backoffMillis(this._failures, this._initialRetryMillis, this._maxRetryMillis);
        return;
    }
  }

  private _take(): UsageRecord[] {
    const end = Math.min(this._queue.length, this._head + this._maxBatch);
    const batch = this._queue.slice(this._head, end);
    this._head = end;
    this._compact();
    return batch;
  }

  private _unshift(records: UsageRecord[]): void {
    this._queue = records.concat(this._queue.slice(this._head));
    this._head = 0;
  }

  private _dropOldest(count: number): void {
    // Drop from the queue first; the retry batch is older but is mid-delivery.
    const fromQueue = Math.min(count, this._queue.length - this._head);
    this._head += fromQueue;
    const remaining = count - fromQueue;
    if (remaining > 0 && this._retryBatch !== undefined) this._retryBatch = this._retryBatch.slice(remaining);
    this._compact();
    this._dropped += count;
    this._options.metrics?.dropped(count);
    if (!this._warnedOverflow) {
      this._warnedOverflow = true;
      this._options.logger.warn(
        `tokenmeter: the usage buffer is full (${this._maxBuffered} records); dropping the oldest records (counted in tokenmeter.reporter.dropped)`,
      );
    }
  }

  private _compact(): void {
    if (this._head > 1024 && this._head * 2 > this._queue.length) {
      this._queue = this._queue.slice(this._head);
      this._head = 0;
    }
  }

  private _warnFailure(detail: string): void {
    if (this._warnedFailure) return;
    this._warnedFailure = true;
    this._options.logger.warn(
      `tokenmeter: cannot deliver usage records to the control plane (${detail}); records wait in memory (up to ${this._maxBuffered}) and are retried`,
    );
  }
}

/** Indexes named by a 400 answer's details (`records[3].tokens`), or undefined when none are named. */
function invalidIndexes(text: string, size: number): Set<number> | undefined {
  try {
    const body = JSON.parse(text) as { error?: { details?: { path?: unknown }[] } };
    const indexes = new Set<number>();
    for (const detail of body.error?.details ?? []) {
      const match = typeof detail.path === 'string' ? /^records\[(\d+)\]|^records\.(\d+)/.exec(detail.path) : null;
      const index = match === null ? Number.NaN : Number(match[1] ?? match[2]);
      if (Number.isInteger(index) && index < size) indexes.add(index);
    }
    return indexes.size > 0 ? indexes : undefined;
  } catch {
    return undefined;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`tokenmeter: ${name} must be a positive number, got ${value}`);
  return value;
}
