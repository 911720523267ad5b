/**
 * The price table used to price calls: the shared engine's bundled catalog
 * until the control plane's effective table (`GET /api/v1/prices`, with
 * ETag) has been fetched, then that table, refreshed every
 * `refreshMs`. A failed refresh keeps the last good table.
 */
import { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry, PriceResult } from '@tokenmeter/instrumentation/pricing';
import type { GenAiCall } from '../normalize/genai-call.js';
import type { Logger } from '../logger.js';

export interface PriceTableOptions {
  controlPlaneUrl: string | undefined;
  apiToken: string | undefined;
  refreshMs: number;
  logger: Logger;
  fetch?: typeof fetch;
}

const UNPRICED: PriceResult = { priced: false, costPicoUsd: 0n, costUsd: 0 };

export class PriceTable {
  private _catalog: PriceCatalog = PriceCatalog.bundled();
  private _etag: string | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _refreshing: Promise<void> | undefined;
  /** Epoch ms of the last successful fetch from the control plane (0 = never). */
  lastRefreshMs = 0;
  refreshFailures = 0;
  private readonly _opts: PriceTableOptions;

  constructor(options: PriceTableOptions) {
    this._opts = options;
  }

  /** Fetches once, then refreshes on a timer (unref'd). No-op without a control plane. */
  async start(): Promise<void> {
    if (this._opts.controlPlaneUrl === undefined) return;
    await this.refresh();
    this._timer = setInterval(() => void this.refresh() /* errors handled inside */, this._opts.refreshMs);
    this._timer.unref();
  }

  stop(): void {
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
  }

  /** One refresh; concurrent callers share it. Never throws. */
  refresh(): Promise<void> {
    this._refreshing ??= this._refresh().finally(() => {
      this._refreshing = undefined;
    });
    return this._refreshing;
  }

  private async _refresh(): Promise<void> {
    const { controlPlaneUrl, apiToken, logger } = this._opts;
    const doFetch = this._opts.fetch ?? fetch;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (apiToken !== undefined) headers.authorization = `Bearer ${apiToken}`;
      if (this._etag !== undefined) headers['if-none-match'] = this._etag;
      const res = await doFetch(`${controlPlaneUrl}/api/v1/prices`, { headers, signal: AbortSignal.timeout(10_000) });
      if (res.status === 304) {
        this.lastRefreshMs = Date.now();
        return;
      }
      if (!res.ok) throw new Error(`GET /api/v1/prices answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { prices?: PriceEntry[] };
      if (!Array.isArray(body.prices)) throw new Error('GET /api/v1/prices: body has no "prices" array');
      this._catalog = new PriceCatalog(body.prices);
      this._etag = res.headers.get('etag') ?? undefined;
      this.lastRefreshMs = Date.now();
      logger.debug({ entries: body.prices.length }, 'price table refreshed');
    } catch (error) {
      this.refreshFailures++;
      logger.warn({ err: error }, 'price table refresh failed; keeping the last good table');
    }
  }

  /** Prices a call by its response model (else request model) at its start time; a bad token count is unpriced. */
  price(call: GenAiCall): PriceResult {
    try {
      return this._catalog.price({
        provider: call.provider,
        model: call.responseModel ?? call.requestModel,
        timeMs: call.startMs,
        org: call.attribution.org,
        serviceTier: call.serviceTier,
        tokens: call.tokens,
        cacheWrite1hTokens: call.cacheWrite1hTokens,
      });
    } catch {
      return UNPRICED;
    }
  }
}
