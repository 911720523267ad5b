/**
 * Keeps the call pipeline pricing with the control plane's effective price
 * table (bundled + admin + org overrides, `GET /api/v1/prices`): fetched at
 * start and then polled with `If-None-Match`, installed with `setCatalog`.
 * Until the first answer, and whenever the table cannot be fetched or is
 * invalid, the catalog in force stays (the bundled one at first).
 */
import { setCatalog } from '../core/catalog.js';
import { PriceCatalog, type PriceEntry } from '../pricing/index.js';
import type { Logger } from './logger.js';

export interface PriceTableClientOptions {
  url: string;
  token?: string | undefined;
  /** How often the table is re-fetched (default 5 min). */
  refreshMillis?: number;
  requestTimeoutMillis?: number;
  logger: Logger;
  /** Where the catalog goes (default: the call pipeline's `setCatalog`). */
  install?: (catalog: PriceCatalog) => void;
}

export class PriceTableClient {
  private readonly _options: PriceTableClientOptions;
  private readonly _endpoint: string;
  private readonly _headers: Record<string, string> = { accept: 'application/json' };
  private _etag: string | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _stopped = false;
  private _warned = false;
  private _installed = 0;

  constructor(options: PriceTableClientOptions) {
    this._options = options;
    this._endpoint = new URL('/api/v1/prices', options.url).toString();
    if (options.token !== undefined && options.token !== '') this._headers.authorization = `Bearer ${options.token}`;
  }

  /** How many tables were installed so far. */
  get installed(): number {
    return this._installed;
  }

  start(): void {
    void this.refresh().finally(() => this._schedule()); // errors are handled inside
  }

  stop(): void {
    this._stopped = true;
    if (this._timer !== undefined) clearTimeout(this._timer);
  }

  /** Fetches the table now; true when a new one was installed. */
  async refresh(): Promise<boolean> {
    try {
      const headers = { ...this._headers };
      if (this._etag !== undefined) headers['if-none-match'] = this._etag;
      const response = await fetch(this._endpoint, { headers, signal: AbortSignal.timeout(this._options.requestTimeoutMillis ?? 10_000) });
      const text = await response.text();
      if (response.status === 304) return false;
      if (!response.ok) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as { prices?: unknown };
      if (!Array.isArray(body.prices)) throw new Error('the answer has no "prices" array');
      const catalog = new PriceCatalog(body.prices as PriceEntry[]);
      (this._options.install ?? setCatalog)(catalog);
      this._etag = response.headers.get('etag') ?? undefined;
      this._installed += 1;
      this._warned = false;
      return true;
    } catch (error) {
      if (!this._warned) {
        this._warned = true;
        this._options.logger.warn(`tokenmeter: cannot load the control plane's price table (${error instanceof Error ? error.message : String(error)}); pricing goes on with the current catalog`);
      }
      return false;
    }
  }

  private _schedule(): void {
    if (this._stopped) return;
    this._timer = setTimeout(() => {
      void this.refresh().finally(() => this._schedule()); // errors are handled inside
    }, this._options.refreshMillis ?? 300_000);
    this._timer.unref();
  }
}
