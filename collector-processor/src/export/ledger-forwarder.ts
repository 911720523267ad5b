/**
 * Forwards per-call ledger records to the control plane (`POST
 * /api/v1/usage`) in batches. The buffer is bounded (`bufferRecords`): the
 * receiver checks `free()` before accepting spans and answers 429 when it is
 * full, so nothing accepted is dropped for lack of room. A failed batch
 * (network, 429, 5xx) stays at the head and is retried with exponential
 * back-off, keeping its ids (the ledger de-duplicates on them); a batch the
 * control plane rejects as invalid (400/413/422) is logged and dropped.
 * One delivery at a time, each with a timeout; timers are unref'd.
 */
import type { UsageRecord } from '@tokenmeter/instrumentation/protocol';
import type { Logger } from '../logger.js';

export interface LedgerForwarderOptions {
  controlPlaneUrl: string;
  apiToken: string | undefined;
  batchRecords: number;
  flushMillis: number;
  bufferRecords: number;
  timeoutMillis?: number;
  initialRetryMillis?: number;
  maxRetryMillis?: number;
  logger: Logger;
  fetch?: typeof fetch;
}

export class LedgerForwarder {
  private readonly _opts: LedgerForwarderOptions;
  private _buffer: UsageRecord[] = [];
  private _sending: Promise<void> | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _retryAtMs = 0;
  private _retryMillis: number;
  private _stopped = false;
  /** Records acknowledged (accepted or duplicate), dropped as invalid, and failed delivery attempts. */
  sent = 0;
  duplicates = 0;
  dropped = 0;
  failures = 0;

  constructor(options: LedgerForwarderOptions) {
    this._opts = options;
    this._retryMillis = options.initialRetryMillis ?? 500;
  }

  start(): void {
    this._timer = setInterval(() => void this._tick() /* errors handled inside */, this._opts.flushMillis);
    this._timer.unref();
  }

  /** Records the buffer can still take. */
  free(): number {
    return this._opts.bufferRecords - this._buffer.length;
  }

  buffered(): number {
    return this._buffer.length;
  }

  /** Adds a record; false when the buffer is full (the caller checked `free()` first, so this is a race). */
  offer(record: UsageRecord): boolean {
    if (this._buffer.length >= this._opts.bufferRecords) return false;
    this._buffer.push(record);
    if (this._buffer.length >= this._opts.batchRecords) void this._tick(); // errors handled inside
    return true;
  }

  /** Sends everything buffered (retrying until `deadlineMillis`); idempotent. */
  async flush(deadlineMillis = 10_000): Promise<void> {
    const deadline = Date.now() + deadlineMillis;
    while (this._buffer.length > 0 && Date.now() < deadline) {
      this._retryAtMs = 0;
      await this._tick();
      if (this._buffer.length > 0) await new Promise((r) => setTimeout(r, Math.min(200, this._retryMillis)));
    }
  }

  /** Stops the timer and tries to deliver what is buffered for at most `deadlineMillis`; idempotent. */
  async shutdown(deadlineMillis = 5_000): Promise<void> {
    if (this._stopped) return;
    this._stopped = true;
    if (this._timer) clearInterval(this._timer);
    await this.flush(deadlineMillis);
    if (this._buffer.length > 0) this._opts.logger.error({ records: this._buffer.length }, 'shutdown: usage records not delivered to the control plane');
  }

  private _tick(): Promise<void> {
    if (this._sending || this._buffer.length === 0 || Date.now() < this._retryAtMs) return this._sending ?? Promise.resolve();
    this._sending = this._sendOne().finally(() => {
      this._sending = undefined;
    });
    return this._sending;
  }

  private async _sendOne(): Promise<void> {
    const { controlPlaneUrl, apiToken, logger } = this._opts;
    const batch = this._buffer.slice(0, this._opts.batchRecords);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiToken !== undefined) headers.authorization = `Bearer ${apiToken}`;
    try {
      const res = await (this._opts.fetch ?? fetch)(`${controlPlaneUrl}/api/v1/usage`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ records: batch }),
        signal: AbortSignal.timeout(this._opts.timeoutMillis ?? 10_000),
      });
      const text = await res.text();
      if (res.ok) {
        this._buffer.splice(0, batch.length);
        const body = safeJson(text);
        this.sent += batch.length;
        if (typeof body?.duplicates === 'number') this.duplicates += body.duplicates;
        this._retryMillis = this._opts.initialRetryMillis ?? 500;
        return;
      }
      if (res.status === 400 || res.status === 413 || res.status === 422) {
        this._buffer.splice(0, batch.length);
        this.dropped += batch.length;
        logger.error({ status: res.status, body: text.slice(0, 500), records: batch.length }, 'control plane rejected a usage batch; dropped');
        return;
      }
      throw new Error(`POST /api/v1/usage answered ${res.status}: ${text.slice(0, 200)}`);
    } catch (error) {
      this.failures++;
      this._retryAtMs = Date.now() + this._retryMillis;
      logger.warn({ err: error, retryInMillis: this._retryMillis, buffered: this._buffer.length }, 'usage batch delivery failed; will retry with the same ids');
      this._retryMillis = Math.min(this._retryMillis * 2, this._opts.maxRetryMillis ?? 30_000);
    }
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
