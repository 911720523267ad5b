/**
 * The webhook destination: `POST <url>` with the file as the body, retried
 * with back-off on network errors, timeouts, 408, 425, 429 and 5xx (other
 * statuses are final). Every attempt of one run carries the same
 * `Idempotency-Key`, so a receiver that saw an attempt whose answer was lost
 * can drop the repeat. With `TOKENMETER_REPORT_WEBHOOK_SECRET` set, the body
 * is signed: `X-Tokenmeter-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 */
import { createHmac } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { AttemptError, withRetries, type RetryOptions } from './retry.js';
import type { DeliveryContext, DeliveryResult } from './types.js';

const RETRY_STATUSES = new Set([408, 425, 429]);
const MAX_RETRY_AFTER_MILLIS = 300_000;

export interface WebhookOptions extends RetryOptions {
  timeoutMillis: number;
  secret?: string;
}

async function signature(path: string, secret: string): Promise<string> {
  const h = createHmac('sha256', secret);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha256=${h.digest('hex')}`;
}

/** `Retry-After` in ms (seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMillis(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MILLIS) : undefined;
}

export class WebhookDestination {
  constructor(
    private readonly _url: string,
    private readonly _options: WebhookOptions,
  ) {}

  async deliver(ctx: DeliveryContext): Promise<DeliveryResult> {
    const f = ctx.file;
    const headers: Record<string, string> = {
      'content-type': f.contentType,
      'content-disposition': `attachment; filename="${f.filename}"`,
      'idempotency-key': ctx.idempotencyKey,
      'x-tokenmeter-schedule': ctx.scheduleId,
      'x-tokenmeter-run': ctx.runId,
      'x-tokenmeter-report-sha256': f.sha256,
      'user-agent': 'tokenmeter-control-plane',
    };
    if (this._options.secret !== undefined) headers['x-tokenmeter-signature'] = await signature(f.path, this._options.secret);
    const { value: status, attempts } = await withRetries(this._options, async () => {
      let res: Response;
      try {
        res = await fetch(this._url, {
          method: 'POST', headers, body: await openAsBlob(f.path, { type: f.contentType }), redirect: 'error',
          signal: AbortSignal.timeout(this._options.timeoutMillis),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        throw new AttemptError(`POST ${this._url}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${this._options.timeoutMillis} ms` : `${(error as Error).message}${cause ? ` (${cause})` : ''}`}`, true);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return res.status;
      const retry = res.status >= 500 || RETRY_STATUSES.has(res.status);
      throw new AttemptError(`POST ${this._url}: HTTP ${res.status}`, retry, retry ? retryAfterMillis(res.headers.get('retry-after')) : undefined);
    });
    return { attempts, detail: `HTTP ${status}` };
  }
}
