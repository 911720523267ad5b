/**
 * Department and organisation of a user from the control plane's directory
 * (`GET /api/v1/directory/users/{user}`), for calls that name a user but not
 * their department or organisation. Answers are cached for `ttlSeconds`
 * (unknown users too), at most `maxEntries` users; concurrent lookups of one
 * user share one request; a lookup waits at most `timeoutMillis`, after which
 * the call is counted without enrichment.
 */
import type { Logger } from '../logger.js';

export interface DirectoryEntry {
  department?: string;
  org?: string;
}

export interface DirectoryOptions {
  controlPlaneUrl: string;
  apiToken: string | undefined;
  ttlSeconds: number;
  timeoutMillis: number;
  maxEntries?: number;
  logger: Logger;
  fetch?: typeof fetch;
}

interface Cached {
  entry: DirectoryEntry | undefined;
  expiresMs: number;
}

export class DirectoryClient {
  private readonly _cache = new Map<string, Cached>();
  private readonly _inflight = new Map<string, Promise<DirectoryEntry | undefined>>();
  private readonly _opts: DirectoryOptions;
  lookups = 0;
  failures = 0;

  constructor(options: DirectoryOptions) {
    this._opts = options;
  }

  /** The cached entry if fresh (`null` = known to be absent), else undefined. */
  cached(user: string): DirectoryEntry | null | undefined {
    const hit = this._cache.get(user);
    if (!hit || hit.expiresMs < Date.now()) return undefined;
    return hit.entry ?? null;
  }

  /** Looks a user up, waiting at most `timeoutMillis`; undefined when unknown or unavailable. */
  async lookup(user: string): Promise<DirectoryEntry | undefined> {
    const hit = this.cached(user);
    if (hit !== undefined) return hit ?? undefined;
    let pending = this._inflight.get(user);
    if (!pending) {
      pending = this._fetch(user).finally(() => this._inflight.delete(user));
      this._inflight.set(user, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this._opts.timeoutMillis);
      timer.unref();
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async _fetch(user: string): Promise<DirectoryEntry | undefined> {
    const { controlPlaneUrl, apiToken, logger } = this._opts;
    const doFetch = this._opts.fetch ?? fetch;
    this.lookups++;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (apiToken !== undefined) headers.authorization = `Bearer ${apiToken}`;
      const res = await doFetch(`${controlPlaneUrl}/api/v1/directory/users/${encodeURIComponent(user)}`, { headers, signal: AbortSignal.timeout(10_000) });
      let entry: DirectoryEntry | undefined;
      if (res.status === 404) await res.arrayBuffer();
      else if (!res.ok) throw new Error(`GET /api/v1/directory/users/{user} answered ${res.status}`);
      else {
        const body = (await res.json()) as Record<string, unknown>;
        entry = {};
        if (typeof body.department === 'string' && body.department !== '') entry.department = body.department;
        if (typeof body.org === 'string' && body.org !== '') entry.org = body.org;
      }
      this._remember(user, entry);
      return entry;
    } catch (error) {
      this.failures++;
      logger.warn({ err: error, user }, 'directory lookup failed; counting without enrichment');
      return undefined;
    }
  }

  private _remember(user: string, entry: DirectoryEntry | undefined): void {
    if (this._cache.size >= (this._opts.maxEntries ?? 100_000)) this._cache.clear();
    this._cache.set(user, { entry, expiresMs: Date.now() + this._opts.ttlSeconds * 1000 });
  }
}
