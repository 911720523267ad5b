/**
 * The usage reporter: a sink that turns every finished call into a ledger
 * record and delivers them to the control plane in batches
 * (`POST /api/v1/usage`). Memory is bounded (drop-oldest, counted, warned
 * once); exports run one at a time with a timeout. Only a delivery that may
 * succeed later is retried with back-off keeping the same ids (the ledger
 * de-duplicates on them): a network error, 408, 429 (after `Retry-After`)
 * or 5xx. A record the ledger refuses (`rejected` in the 200 answer, or named
 * by a 400/422) and a record the SDK itself finds implausible are dropped,
 * counted and logged once per code, never retried; a whole-batch 400/413/422
 * is split until the bad record stands alone and is dropped.
 */
import type { FinishedCall } from '../core/hooks.js';
import type { PendingFingerprint } from '../fingerprint/pending.js';
import { implausibility } from '../protocol.js';
import type { UsageIngestResponse, UsageRecord } from '../protocol.js';
import { formatUsd } from '../pricing/index.js';
import type { ControlMetrics } from './metrics.js';
import type { Logger } from './logger.js';
import { backoffMillis } from './backoff.js';
import { requestsSync } from './sync-http.js';

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

/** A queued record whose prompt fingerprint is filled in when its batch is built (off the call path). */
const PENDING = Symbol('pending fingerprint');
type QueuedRecord = UsageRecord & { [PENDING]?: PendingFingerprint };

/** Builds the ledger record of a finished call (without its fingerprint: the reporter adds it when the record's batch is built). */
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
    stream: call.streaming,
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
  private _queue: QueuedRecord[] = [];
  private _head = 0;
  /** Batches to send again (a failed delivery, same ids; the halves of a split), front first, before anything newer. */
  private _retryBatches: UsageRecord[][] = [];
  /** The batch being delivered now (sent again by `flushSync` if the process exits meanwhile). */
  private _inFlight: UsageRecord[] | undefined;
  /** Records dropped because the ledger or the SDK refused them. */
  private _rejected = 0;
  /** Codes already logged (each refusal code is logged once). */
  private readonly _loggedCodes = new Set<string>();
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
    const record: QueuedRecord = toUsageRecord(call, this._options.serviceName);
    if (call.fingerprint !== undefined) record[PENDING] = call.fingerprint;
    this.add(record);
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
    let n = this._queue.length - this._head;
    for (const batch of this._retryBatches) n += batch.length;
    return n;
  }

  /** Records dropped so far because the buffer was full. */
  get dropped(): number {
    return this._dropped;
  }

  /** Records dropped so far because the control plane or the SDK refused them (never retried). */
  get rejected(): number {
    return this._rejected;
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

  /**
   * At `process.exit()`, when no callback will run again: delivers what is
   * buffered (and the batch in flight: same ids, the ledger de-duplicates)
   * synchronously, within `waitMillis`. What cannot be delivered is warned.
   */
  flushSync(waitMillis: number): void {
    const records: UsageRecord[] = [...(this._inFlight ?? []), ...this._retryBatches.flat()];
    this._inFlight = undefined;
    this._retryBatches = [];
    while (this._queue.length > this._head) records.push(...this._take());
    if (records.length === 0) return;
    const requests = [];
    for (let i = 0; i < records.length; i += this._maxBatch) {
      requests.push({ method: 'POST' as const, url: this._endpoint, headers: this._headers, body: JSON.stringify({ records: records.slice(i, i + this._maxBatch) }) });
    }
    let delivered = 0;
    try {
      const answers = requestsSync(requests, waitMillis, true);
      answers.forEach((answer, i) => {
        if (answer !== undefined && answer.status >= 200 && answer.status < 300) delivered += Math.min(this._maxBatch, records.length - i * this._maxBatch);
      });
    } catch (error) {
      this._options.logger.warn(`tokenmeter: delivering usage records at exit failed: ${String(error)}`);
    }
    this._options.metrics?.exported(delivered);
    if (delivered < records.length) {
      this._options.logger.warn(`tokenmeter: ${records.length - delivered} usage records could not be delivered to the control plane before the process exited`);
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
    const batch = this._retryBatches.shift() ?? this._take();
    if (batch.length === 0) return;
    let status: number;
    let text: string;
    let retryAfterMillis: number | undefined;
    this._inFlight = batch;
    try {
      const response = await this._fetch(this._endpoint, {
        method: 'POST',
        headers: this._headers,
        body: JSON.stringify({ records: batch }),
        signal: AbortSignal.timeout(this._timeoutMillis),
      });
      status = response.status;
      text = await response.text();
      retryAfterMillis = parseRetryAfter(response.headers.get('retry-after'));
    } catch (error) {
      this._inFlight = undefined;
      this._retry(batch, error instanceof Error ? error.message : String(error));
      return;
    }
    this._inFlight = undefined;
    if (status >= 200 && status < 300) {
      this._delivered(batch, text);
    } else if (status === 408 || status === 429 || status >= 500) {
      this._retry(batch, `HTTP ${status} ${text.slice(0, 200)}`, retryAfterMillis);
    } else if (status === 400 || status === 413 || status === 422) {
      this._refusedBatch(batch, status, text);
    } else {
      // 401, 403, 404, …: the same batch would get the same answer; the records cannot be stored.
      this._reject(batch, `http_${status}`, `HTTP ${status} ${text.slice(0, 200)}${status === 401 || status === 403 ? ' (check TOKENMETER_API_TOKEN: the ingest role)' : ''}`);
    }
  }

  /** A 2xx answer: every record is durable except those `rejected` by index. */
  private _delivered(batch: UsageRecord[], text: string): void {
    this._failures = 0;
    this._retryAtMs = 0;
    this._warnedFailure = false;
    const rejected = rejectedRecords(text, batch.length);
    for (const [code, entries] of rejected) {
      this._reject(
        entries.map((entry) => batch[entry.index]!),
        code,
        entries[0]!.message,
      );
    }
    const refused = new Set<number>();
    for (const entries of rejected.values()) for (const entry of entries) refused.add(entry.index);
    const stored = refused.size === 0 ? batch : batch.filter((_, index) => !refused.has(index));
    if (stored.length === 0) return;
    this._options.metrics?.exported(stored.length);
    this._options.onAcknowledged?.(
      stored.map((record) => record.id),
      Date.now(),
    );
  }

  /** A 400/413/422 answer: drop the records it names, else split the batch until the bad record stands alone. */
  private _refusedBatch(batch: UsageRecord[], status: number, text: string): void {
    const { indexes, code } = namedInvalidRecords(text, batch.length);
    if (indexes !== undefined && indexes.size < batch.length) {
      this._reject(
        batch.filter((_, index) => indexes.has(index)),
        code ?? `http_${status}`,
        text.slice(0, 500),
      );
      this._retryBatches.unshift(batch.filter((_, index) => !indexes.has(index)));
      return;
    }
    if (batch.length > 1) {
      // Send the halves separately (bisecting): the good records get through, a bad one ends up alone.
      const half = Math.ceil(batch.length / 2);
      this._retryBatches.unshift(batch.slice(0, half), batch.slice(half));
      return;
    }
    this._reject(batch, code ?? `http_${status}`, text.slice(0, 500));
  }

  /** A delivery that may succeed later: the same batch, same ids, after the back-off (or the server's `Retry-After`). */
  private _retry(batch: UsageRecord[], detail: string, retryAfterMillis?: number): void {
    this._warnFailure(detail);
    this._failures += 1;
    this._options.metrics?.failure();
    this._retryBatches.unshift(batch);
    const backoff = backoffMillis(this._failures, this._initialRetryMillis, this._maxRetryMillis);
    this._retryAtMs = Date.now() + Math.min(this._maxRetryMillis, Math.max(backoff, retryAfterMillis ?? 0));
  }

  /** Drops records that can never be stored: counted by code, logged once per code. */
  private _reject(records: readonly UsageRecord[], code: string, message: string): void {
    if (records.length === 0) return;
    this._rejected += records.length;
    this._options.metrics?.rejected(records.length, code);
    if (this._loggedCodes.has(code)) return;
    this._loggedCodes.add(code);
    this._options.logger.warn(
      `tokenmeter: ${records.length} usage record(s) refused (${code}): ${message}; dropped, not retried (counted in tokenmeter.reporter.rejected; logged once per code)`,
    );
  }

  /** The next batch: fingerprints filled in, implausible records refused at the door. */
  private _take(): UsageRecord[] {
    const end = Math.min(this._queue.length, this._head + this._maxBatch);
    const taken = this._queue.slice(this._head, end);
    this._head = end;
    this._compact();
    const nowMs = Date.now();
    const batch: UsageRecord[] = [];
    for (const queued of taken) {
      const pending = queued[PENDING];
      if (pending !== undefined) {
        delete queued[PENDING];
        const fingerprint = pending.value;
        if (fingerprint !== undefined) queued.fingerprint = fingerprint;
      }
      const problem = implausibility(queued, nowMs);
      if (problem === undefined) batch.push(queued);
      else {
        this._rejected += 1;
        this._options.metrics?.implausible(1);
        if (!this._loggedCodes.has('implausible')) {
          this._loggedCodes.add('implausible');
          this._options.logger.warn(
            `tokenmeter: a usage record is implausible (${problem}); not sent (counted in tokenmeter.reporter.implausible; logged once)`,
          );
        }
      }
    }
    return batch;
  }

  private _dropOldest(count: number): void {
    // Drop from the queue first; the retry batches are older but are mid-delivery.
    const fromQueue = Math.min(count, this._queue.length - this._head);
    this._head += fromQueue;
    let remaining = count - fromQueue;
    while (remaining > 0 && this._retryBatches.length > 0) {
      const last = this._retryBatches[this._retryBatches.length - 1]!;
      const cut = Math.min(remaining, last.length);
      if (cut === last.length) this._retryBatches.pop();
      else this._retryBatches[this._retryBatches.length - 1] = last.slice(cut);
      remaining -= cut;
    }
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

/** Records a 200 answer refuses, by code; malformed entries and out-of-range indexes are ignored. */
function rejectedRecords(text: string, size: number): Map<string, { index: number; message: string }[]> {
  const byCode = new Map<string, { index: number; message: string }[]>();
  let body: Partial<UsageIngestResponse>;
  try {
    body = JSON.parse(text) as Partial<UsageIngestResponse>;
  } catch {
    return byCode;
  }
  if (body === null || typeof body !== 'object' || !Array.isArray(body.rejected)) return byCode;
  const seen = new Set<number>();
  for (const entry of body.rejected as unknown[]) {
    const { index, code, message } = (entry ?? {}) as { index?: unknown; code?: unknown; message?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size || seen.has(index)) continue;
    seen.add(index);
    const key = typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : 'rejected';
    const list = byCode.get(key) ?? [];
    list.push({ index, message: typeof message === 'string' ? message.slice(0, 300) : 'no reason given' });
    byCode.set(key, list);
  }
  return byCode;
}

/** The record indexes a 400/422 error names in its details (`records[3].tokens`), and the error's code. */
function namedInvalidRecords(text: string, size: number): { indexes: Set<number> | undefined; code: string | undefined } {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; details?: { path?: unknown }[] } };
    const code = typeof body.error?.code === 'string' && /^[\w.-]{1,64}$/.test(body.error.code) ? body.error.code : undefined;
    const indexes = new Set<number>();
    for (const detail of Array.isArray(body.error?.details) ? body.error.details : []) {
      const match = typeof detail?.path === 'string' ? /^records\[(\d+)\]|^records\.(\d+)/.exec(detail.path) : null;
      const index = match === null ? Number.NaN : Number(match[1] ?? match[2]);
      if (Number.isInteger(index) && index < size) indexes.add(index);
    }
    return { indexes: indexes.size > 0 ? indexes : undefined, code };
  } catch {
    return { indexes: undefined, code: undefined };
  }
}

/** `Retry-After` in ms (seconds or an HTTP date), or undefined. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`tokenmeter: ${name} must be a positive number, got ${value}`);
  return value;
}
