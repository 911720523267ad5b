/**
 * Forwards per-call ledger records to the control plane (`POST
 * /api/v1/usage`) in batches, so that no single record can stall delivery:
 * - 200 answers judge each record (`UsageIngestResponse`): a record in
 *   `rejected` is dropped (counted by code, logged once per code), never
 *   retried; the rest of the batch is durable;
 * - a whole batch refused with another 4xx (400, 413, 422, …) is halved
 *   until the refused record stands alone, and that one is dropped (counted
 *   by status), so the good records around it still arrive: about
 *   2·log2(batch) requests per refused record, not one per record;
 * - network errors, timeouts, 429, 5xx (and 401/403/404, which a
 *   configuration fix cures) are retried with exponential back-off, keeping
 *   the ids (the ledger de-duplicates on them).
 * Records wait serialised (JSON text is about half the memory of the
 * object). The buffer is bounded (`bufferRecords`, batches in flight included): the
 * receiver checks `free()` before accepting spans and answers 429 when it is
 * full, so nothing accepted is dropped for lack of room. Up to `concurrency`
 * batches are in flight (one while isolating a refused record): under heavy
 * ingest each delivery waits for many turns of the busy event loop, and one
 * at a time could not keep up. Each delivery has a timeout; timers are unref'd.
 */
import type { RejectedRecord, UsageRecord } from '@tokenmeter/instrumentation/protocol';
import type { Logger } from '../logger.js';

export interface LedgerForwarderOptions {
  controlPlaneUrl: string;
  apiToken: string | undefined;
  batchRecords: number;
  flushMs: number;
  bufferRecords: number;
  /** Batches in flight at once; default 4. */
  concurrency?: number;
  timeoutMs?: number;
  initialRetryMs?: number;
  maxRetryMs?: number;
  logger: Logger;
  fetch?: typeof fetch;
}

/** Statuses worth retrying as they are: the server was busy or unreachable, or a setting (token, URL) needs fixing. */
function retriable(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403 || status === 404;
}

/** Most distinct rejection codes and statuses counted apiece; the rest are counted as `other` (codes come from the server). */
const MAX_CODES = 50;

type Outcome = { kind: 'delivered'; text: string } | { kind: 'retry'; error: unknown; status: number | undefined } | { kind: 'refused'; status: number; text: string };

export class LedgerForwarder {
  private readonly _opts: LedgerForwarderOptions;
  /** Each record as its JSON text. */
  private _buffer: string[] = [];
  private readonly _sends = new Set<Promise<void>>();
  private _inflightRecords = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _retryAtMs = 0;
  private _retryMs: number;
  private _stopped = false;
  /** While isolating a refused record: the first `remaining` buffered records go in batches of `size`, one at a time. */
  private _split: { remaining: number; size: number } | undefined;
  private readonly _logged = new Set<string>();
  /** Records the ledger stored (`accepted`, including unpriced ones) or already had (`duplicates`). */
  accepted = 0;
  duplicates = 0;
  /** Records refused one by one in a 200 answer, by code. */
  readonly rejected = new Map<string, number>();
  /** Records dropped because the control plane refused them alone with a 4xx, by status. */
  readonly dropped = new Map<string, number>();
  /** Failed delivery attempts (retried). */
  failures = 0;

  constructor(options: LedgerForwarderOptions) {
    this._opts = options;
    this._retryMs = options.initialRetryMs ?? 500;
  }

  start(): void {
    this._timer = setInterval(() => void this._tick() /* errors handled inside */, this._opts.flushMs);
    this._timer.unref();
  }

  /** Records the buffer can still take. */
  free(): number {
    return this._opts.bufferRecords - this.buffered();
  }

  /** Records not yet acknowledged: waiting or in flight. */
  buffered(): number {
    return this._buffer.length + this._inflightRecords;
  }

  /** Adds a record; false when the buffer is full (the caller checked `free()` first, so this is a race). */
  offer(record: UsageRecord): boolean {
    if (this.buffered() >= this._opts.bufferRecords) return false;
    this._buffer.push(JSON.stringify(record));
    if (this._buffer.length >= this._opts.batchRecords) void this._tick(); // errors handled inside
    return true;
  }

  /** Sends everything buffered (retrying until `deadlineMs`). */
  async flush(deadlineMs = 10_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.buffered() > 0 && Date.now() < deadline) {
      this._retryAtMs = 0;
      await this._tick();
      if (this._buffer.length > 0 && this._retryAtMs > 0) await new Promise((r) => setTimeout(r, Math.min(200, this._retryMs, Math.max(0, deadline - Date.now()))));
    }
  }

  /** Stops the timer and tries to deliver what is buffered for at most `deadlineMs`; idempotent. */
  async shutdown(deadlineMs = 5_000): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    if (this._timer) clearInterval(this._timer);
    await this.flush(deadlineMs);
    if (this.buffered() > 0) this._opts.logger.error({ records: this.buffered() }, 'shutdown: usage records not delivered to the control plane');
  }

  /** Starts the deliveries there is room for; resolves when those in flight have finished. */
  private _tick(): Promise<void> {
    const limit = this._split ? 1 : (this._opts.concurrency ?? 4);
    while (this._buffer.length > 0 && this._sends.size < limit && Date.now() >= this._retryAtMs) {
      const size = this._split ? Math.min(this._split.size, this._split.remaining) : this._opts.batchRecords;
      const batch = this._buffer.splice(0, size);
      this._inflightRecords += batch.length;
      const send: Promise<void> = this._deliver(batch).finally(() => {
        this._inflightRecords -= batch.length;
        this._sends.delete(send);
        // Keep draining without waiting for the timer while full batches wait (or while isolating).
        if (!this._stopped && (this._buffer.length >= this._opts.batchRecords || this._split)) setImmediate(() => void this._tick());
      });
      this._sends.add(send);
    }
    return Promise.all(this._sends).then(() => undefined);
  }

  private async _deliver(batch: string[]): Promise<void> {
    const outcome = await this._post(batch);
    switch (outcome.kind) {
      case 'delivered':
        this._delivered(batch, outcome.text);
        this._advanceSplit(batch.length);
        this._retryMs = this._opts.initialRetryMs ?? 500;
        this._retryAtMs = 0;
        return;
      case 'retry':
        this._buffer.unshift(...batch);
        this._retryLater(outcome.error, outcome.status);
        return;
      case 'refused':
        this._refused(batch, outcome.status, outcome.text);
    }
  }

  private async _post(batch: string[]): Promise<Outcome> {
    const { controlPlaneUrl, apiToken } = this._opts;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiToken !== undefined) headers.authorization = `Bearer ${apiToken}`;
    try {
      const res = await (this._opts.fetch ?? fetch)(`${controlPlaneUrl}/api/v1/usage`, {
        method: 'POST',
        headers,
        body: `{"records":[${batch.join(',')}]}`,
        signal: AbortSignal.timeout(this._opts.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) return { kind: 'delivered', text };
      if (retriable(res.status)) return { kind: 'retry', status: res.status, error: new Error(`POST /api/v1/usage answered ${res.status}: ${text.slice(0, 200)}`) };
      return { kind: 'refused', status: res.status, text };
    } catch (error) {
      return { kind: 'retry', status: undefined, error };
    }
  }

  /** The whole batch was refused: the records cannot be told apart, so halve until the refused one stands alone. */
  private _refused(batch: string[], status: number, text: string): void {
    if (batch.length > 1) {
      this._buffer.unshift(...batch);
      this._split = { remaining: this._split?.remaining ?? batch.length, size: Math.ceil(batch.length / 2) };
      return; // no back-off: the server answered, and each half is smaller
    }
    // Found: the records after it go in full batches again (another refused one among them is isolated the same way).
    this._split = undefined;
    const key = this._countKey(this.dropped, String(status));
    this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
    this._logOnce(`status:${status}`, () =>
      this._opts.logger.error(
        { status, id: idOf(batch[0]), body: text.slice(0, 500) },
        `control plane refused a usage record with ${status}; dropped (further ones with this status are counted in tokenmeter_collector_ledger_dropped_total, not logged)`,
      ),
    );
  }

  /** Counts a 200 answer: rejected records are dropped for good, the rest are in the ledger. */
  private _delivered(batch: string[], text: string): void {
    const body = parseIngestResponse(text);
    if (!body) {
      // An answer without the per-record shape: 2xx still means the whole batch is durable.
      this.accepted += batch.length;
      return;
    }
    this.accepted += body.accepted;
    this.duplicates += body.duplicates;
    for (const r of body.rejected) {
      const key = this._countKey(this.rejected, r.code);
      this.rejected.set(key, (this.rejected.get(key) ?? 0) + 1);
      this._logOnce(`code:${r.code}`, () =>
        this._opts.logger.warn(
          { code: r.code, id: r.id ?? idOf(batch[r.index]), reason: r.message },
          `the ledger rejected a usage record (${r.code}); dropped, not retried (further ones with this code are counted in tokenmeter_collector_ledger_rejected_total, not logged)`,
        ),
      );
    }
  }

  /** After a delivered probe: the probes grow again (a refused record is usually alone in its batch). */
  private _advanceSplit(records: number): void {
    if (!this._split) return;
    this._split.remaining -= records;
    this._split.size = Math.min(this._split.size * 2, this._opts.batchRecords);
    if (this._split.remaining <= 0) this._split = undefined;
  }

  private _retryLater(error: unknown, status: number | undefined): void {
    this.failures++;
    this._retryAtMs = Date.now() + this._retryMs;
    const hint = status === 401 || status === 403 ? ' (check TOKENMETER_API_TOKEN: it needs the ingest role)' : status === 404 ? ' (check TOKENMETER_CONTROL_PLANE_URL)' : '';
    const logger = this._opts.logger;
    const fields = { err: error, retryInMs: this._retryMs, buffered: this.buffered() };
    const message = `usage batch delivery failed; will retry with the same ids${hint}`;
    if (hint !== '') logger.error(fields, message);
    else logger.warn(fields, message);
    this._retryMs = Math.min(this._retryMs * 2, this._opts.maxRetryMs ?? 30_000);
  }

  private _countKey(map: Map<string, number>, key: string): string {
    return map.has(key) || map.size < MAX_CODES ? key : 'other';
  }

  private _logOnce(key: string, log: () => void): void {
    if (this._logged.has(key) || this._logged.size >= MAX_CODES * 2) return;
    this._logged.add(key);
    log();
  }
}

/** The id of a serialised record (for a log line). */
function idOf(json: string | undefined): string | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as UsageRecord).id;
}

/** The per-record answer, or undefined when the body does not have its shape. */
function parseIngestResponse(text: string): { accepted: number; duplicates: number; rejected: RejectedRecord[] } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.accepted !== 'number') return undefined;
  const rejected: RejectedRecord[] = [];
  if (Array.isArray(o.rejected)) {
    for (const r of o.rejected as unknown[]) {
      if (typeof r !== 'object' || r === null) continue;
      const x = r as Record<string, unknown>;
      rejected.push({
        index: typeof x.index === 'number' ? x.index : -1,
        ...(typeof x.id === 'string' ? { id: x.id } : {}),
        code: typeof x.code === 'string' && x.code !== '' ? x.code : 'unknown',
        message: typeof x.message === 'string' ? x.message : '',
      });
    }
  }
  return { accepted: o.accepted, duplicates: typeof o.duplicates === 'number' ? o.duplicates : 0, rejected };
}
