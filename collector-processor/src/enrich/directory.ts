/**
 * Department and organisation of users from the control plane's directory,
 * for calls that name a user but not their department or organisation.
 * The whole directory is synchronised in bulk (`GET /api/v1/directory`, with
 * `If-None-Match` when the control plane sends an ETag) every `syncMs`, so
 * enrichment is a map lookup and a flood of unknown users costs no request
 * per user: a call from a user not in the copy asks for one early sync at
 * most every `resyncMinMs` (shared by every caller), waiting at most
 * `timeoutMs` for it. At most `maxUsers` users are held (the first ones the
 * control plane lists; the rest are counted and warned about once). A failed
 * sync keeps the last good copy.
 */
import type { Logger } from '../logger.js';

export interface DirectoryEntry {
  department?: string;
  org?: string;
}

export interface DirectoryOptions {
  controlPlaneUrl: string;
  apiToken: string | undefined;
  syncMs: number;
  timeoutMs: number;
  maxUsers: number;
  /** Shortest time between two syncs asked for by unknown users. */
  resyncMinMs: number;
  logger: Logger;
  fetch?: typeof fetch;
}

export class Directory {
  private _users = new Map<string, DirectoryEntry>();
  private _etag: string | undefined;
  private _syncing: Promise<void> | undefined;
  private _lastSyncStartMs = Number.NEGATIVE_INFINITY;
  private _timer: NodeJS.Timeout | undefined;
  private readonly _opts: DirectoryOptions;
  /** Requests sent to `GET /api/v1/directory`, and those that failed. */
  syncs = 0;
  failures = 0;
  /** Users the control plane listed beyond `maxUsers` at the last sync (not held). */
  truncated = 0;
  /** Epoch ms of the last successful sync (0 = none yet). */
  lastSyncMs = 0;

  constructor(options: DirectoryOptions) {
    this._opts = options;
  }

  /** First sync, then one every `syncMs` (unref'd timer). Never throws. */
  async start(): Promise<void> {
    await this.sync();
    this._timer = setInterval(() => void this.sync() /* errors handled inside */, this._opts.syncMs);
    this._timer.unref();
  }

  stop(): void {
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
  }

  /** Users held. */
  size(): number {
    return this._users.size;
  }

  /** The entry of `user` in the current copy, if any (no request). */
  get(user: string): DirectoryEntry | undefined {
    return this._users.get(user);
  }

  /**
   * For users the copy does not hold: a sync unless one started less than
   * `resyncMinMs` ago (then nothing: those users are simply unknown), waited
   * for at most `timeoutMs`.
   */
  async refreshForUnknown(): Promise<void> {
    const now = Date.now();
    const since = now - this._lastSyncStartMs;
    if (this._syncing === undefined && since < this._opts.resyncMinMs) return;
    const pending = this.sync();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this._opts.timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One sync; concurrent callers share it. Never throws. */
  sync(): Promise<void> {
    this._syncing ??= this._sync().finally(() => {
      this._syncing = undefined;
    });
    return this._syncing;
  }

  private async _sync(): Promise<void> {
    const { controlPlaneUrl, apiToken, logger, maxUsers } = this._opts;
    this._lastSyncStartMs = Date.now();
    this.syncs++;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (apiToken !== undefined) headers.authorization = `Bearer ${apiToken}`;
      if (this._etag !== undefined) headers['if-none-match'] = this._etag;
      const res = await (this._opts.fetch ?? fetch)(`${controlPlaneUrl}/api/v1/directory`, { headers, signal: AbortSignal.timeout(30_000) });
      if (res.status === 304) {
        await res.arrayBuffer();
        this.lastSyncMs = Date.now();
        return;
      }
      if (!res.ok) throw new Error(`GET /api/v1/directory answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { users?: unknown };
      if (!Array.isArray(body.users)) throw new Error('GET /api/v1/directory: body has no "users" array');
      const users = new Map<string, DirectoryEntry>();
      // Departments and orgs repeat across users: one string each instead of one per user.
      const interned = new Map<string, string>();
      const intern = (s: string): string => {
        const hit = interned.get(s);
        if (hit !== undefined) return hit;
        interned.set(s, s);
        return s;
      };
      let beyond = 0;
      for (const u of body.users as unknown[]) {
        if (typeof u !== 'object' || u === null) continue;
        const { user, department, org } = u as Record<string, unknown>;
        if (typeof user !== 'string' || user === '') continue;
        const entry: DirectoryEntry = {};
        if (typeof department === 'string' && department !== '') entry.department = intern(department);
        if (typeof org === 'string' && org !== '') entry.org = intern(org);
        if (entry.department === undefined && entry.org === undefined) continue;
        if (users.size >= maxUsers && !users.has(user)) {
          beyond++;
          continue;
        }
        users.set(user, entry);
      }
      if (beyond > 0 && this.truncated === 0) {
        logger.warn({ held: users.size, beyond }, 'the directory lists more users than TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS; calls of the others are counted without department/org (the ledger still enriches their records)');
      }
      this.truncated = beyond;
      this._users = users;
      this._etag = res.headers.get('etag') ?? undefined;
      this.lastSyncMs = Date.now();
      logger.debug({ users: users.size }, 'directory synchronised');
    } catch (error) {
      this.failures++;
      logger.warn({ err: error }, 'directory sync failed; keeping the last good copy');
    }
  }
}
