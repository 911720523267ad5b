/**
 * The control plane's state and operations, independent of HTTP: the store,
 * the ledger, cached configuration (quotas, budgets, prices, providers,
 * directory), blocks, the enforcement feed and the period-reset timer.
 */
import { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry } from '@tokenmeter/instrumentation/pricing';
import type { EnforcementBlock, ProviderLimits, ProviderState } from '@tokenmeter/instrumentation/protocol';
import { AuditLog } from './audit.js';
import type { Config } from './config.js';
import { BlockSet, wireBlock } from './enforcement/blocks.js';
import { EnforcementFeed } from './enforcement/feed.js';
import { Ledger, toLedgerRow, type IngestResult } from './ledger/ledger.js';
import type { UsageRecordInput } from './ledger/record-schema.js';
import { evaluateQuotas, subjectUsage, type QuotaStatus } from './quotas/evaluate.js';
import { budgetAsQuota, type Budget, type Quota } from './quotas/model.js';
import { nextWindowStart, windowStart } from './quotas/periods.js';
import { Reports } from './reports/service.js';
import type { Store } from './store/types.js';

export interface ProviderConfig {
  org: string;
  provider: string;
  enabled: boolean;
  priority: number;
  limits: ProviderLimits;
  updated_at: string;
}

export interface DirectoryEntry {
  user: string;
  department?: string;
  org?: string;
  updated_at: string;
}

export interface ControlPlaneOptions {
  config: Config;
  store: Store;
  clock?: () => number;
  onError?: (error: unknown) => void;
  onInfo?: (message: string, data?: object) => void;
}

export class ControlPlane {
  readonly config: Config;
  readonly store: Store;
  readonly clock: () => number;
  readonly audit: AuditLog;
  readonly ledger: Ledger;
  readonly blocks: BlockSet;
  readonly feed: EnforcementFeed;
  /** Reports, report schedules and their scheduler. */
  readonly reports: Reports;
  readonly quotas = new Map<string, Quota>();
  readonly budgets = new Map<string, Budget>();
  readonly adminPrices = new Map<string, PriceEntry>();
  readonly providers = new Map<string, ProviderConfig>();
  readonly directory = new Map<string, DirectoryEntry>();
  private _catalog: PriceCatalog = PriceCatalog.bundled();
  private _timeZones: string[] = ['UTC'];
  private _resetTimer: NodeJS.Timeout | undefined;
  private _lastHour = 0;
  private _resetRunning = false;
  readonly onError: (error: unknown) => void;
  readonly onInfo: (message: string, data?: object) => void;

  constructor(options: ControlPlaneOptions) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.onError = options.onError ?? ((e) => console.error(e));
    this.onInfo = options.onInfo ?? (() => {});
    this.audit = new AuditLog(this.store, this.clock);
    this.ledger = new Ledger(this.store, () => this._timeZones);
    this.feed = new EnforcementFeed(
      this.store,
      { blocks: () => this._wireBlocks(), providers: (now) => this.providerStates(now) },
      this.clock,
      this.config.sseCoalesceMillis,
      this.onError,
    );
    this.blocks = new BlockSet(this.store, this.audit, () => this.feed.refresh());
    this.reports = new Reports({
      store: this.store, catalog: () => this._catalog, clock: this.clock, config: this.config.reports, dbUrl: this.config.dbUrl,
      audit: this.audit, onError: this.onError,
    });
  }

  async init(): Promise<void> {
    await this.store.init();
    for (const { id, value } of await this.store.listEntities<Quota>('quota')) this.quotas.set(id, value);
    for (const { id, value } of await this.store.listEntities<Budget>('budget')) this.budgets.set(id, value);
    for (const { id, value } of await this.store.listEntities<PriceEntry>('price')) this.adminPrices.set(id, value);
    for (const { id, value } of await this.store.listEntities<ProviderConfig>('provider')) this.providers.set(id, value);
    for (const { id, value } of await this.store.listEntities<DirectoryEntry>('directory')) this.directory.set(id, value);
    this._rebuildCatalog();
    const tzs = await this.store.getMeta('timezones');
    this._timeZones = tzs ? (JSON.parse(tzs) as string[]) : ['UTC'];
    await this.ensureTimeZones();
    await this.blocks.load();
    await this.feed.init();
    await this.reports.init();
    this._lastHour = windowStart('hour', this.clock(), 'UTC');
  }

  /** Starts the period-reset timer (blocks lift at their quota's next window when usage there is under the limit). */
  start(): void {
    if (this._resetTimer) return;
    this._resetTimer = setInterval(() => {
      this.checkResets().catch(this.onError);
    }, this.config.resetCheckMillis);
    this._resetTimer.unref();
    this.reports.start();
  }

  async close(): Promise<void> {
    if (this._resetTimer) clearInterval(this._resetTimer);
    this._resetTimer = undefined;
    this.feed.close();
    await this.reports.close();
    await this.store.close();
  }

  get timeZones(): readonly string[] {
    return this._timeZones;
  }

  get catalog(): PriceCatalog {
    return this._catalog;
  }

  // ---- prices ---------------------------------------------------------------

  private _rebuildCatalog(): void {
    this._catalog = PriceCatalog.bundled().withEntries([...this.adminPrices.values()]);
  }

  /** Validates the whole table with `entry` set (throws `PriceCatalogError`), then stores it. */
  async putPrice(entry: PriceEntry, actor: string, action: 'create' | 'update'): Promise<void> {
    const next = new Map(this.adminPrices);
    next.set(entry.id, entry);
    const catalog = PriceCatalog.bundled().withEntries([...next.values()]);
    await this.store.putEntity('price', entry.id, entry);
    this.adminPrices.set(entry.id, entry);
    this._catalog = catalog;
    await this.audit.record({ kind: 'price', action, actor, subject: entry.id, data: entry });
  }

  async deletePrice(id: string, actor: string): Promise<boolean> {
    const entry = this.adminPrices.get(id);
    if (!entry) return false;
    await this.store.deleteEntity('price', id);
    this.adminPrices.delete(id);
    this._rebuildCatalog();
    await this.audit.record({ kind: 'price', action: 'delete', actor, subject: id, data: entry });
    return true;
  }

  // ---- time zones -------------------------------------------------------------

  /** Adds the time zones of every quota and budget to the maintained set, rebuilding totals of new ones from the records. */
  async ensureTimeZones(): Promise<void> {
    const wanted = new Set<string>(this._timeZones);
    for (const q of this.allQuotas()) wanted.add(q.timezone);
    const added = [...wanted].filter((tz) => !this._timeZones.includes(tz));
    if (added.length === 0) return;
    this._timeZones = [...this._timeZones, ...added];
    await this.store.setMeta('timezones', JSON.stringify(this._timeZones));
    const r = await this.ledger.rebuildTotals(added);
    this.onInfo('rebuilt totals for new time zones', { timezones: added, ...r });
  }

  // ---- quotas and budgets --------------------------------------------------------

  allQuotas(): Quota[] {
    return [...this.quotas.values(), ...[...this.budgets.values()].map(budgetAsQuota)];
  }

  findQuota(id: string): Quota | undefined {
    const q = this.quotas.get(id);
    if (q) return q;
    const b = this.budgets.get(id);
    return b ? budgetAsQuota(b) : undefined;
  }

  async saveQuota(q: Quota, actor: string, action: string): Promise<void> {
    await this.store.putEntity('quota', q.id, q);
    this.quotas.set(q.id, q);
    await this.ensureTimeZones();
    await this.audit.record({ kind: 'quota', action, actor, subject: q.id, data: q });
    await this._reconcileBlocks(q, actor);
  }

  /**
   * A changed quota's blocks follow its new settings at once (audited): made
   * soft, no longer covering the subject, or a limit now above the ledger's
   * usage → lifted; otherwise the block's limit, usage and reset are updated.
   * (Prometheus would resolve the alert too, but a resolved alert only lifts a
   * block the ledger confirms, and a hard → soft change leaves usage over.)
   */
  private async _reconcileBlocks(q: Quota, actor: string): Promise<void> {
    for (const b of this.blocks.list()) {
      if (b.quota_id !== q.id) continue;
      if (q.enforcement === 'soft') {
        await this.blocks.remove(b.id, actor, `quota ${q.id} is now soft`);
        continue;
      }
      if (b.scope !== q.scope || (q.subject !== '*' && q.subject !== b.subject)) {
        await this.blocks.remove(b.id, actor, `quota ${q.id} no longer covers ${b.scope} ${b.subject}`);
        continue;
      }
      const status = await subjectUsage(this.store, q, b.subject, this.clock());
      if (status.usage_exact < status.limit_exact) {
        await this.blocks.remove(b.id, actor, `quota ${q.id} changed: the ledger shows usage ${status.usage} < limit ${status.limit}`);
      } else {
        await this.blocks.update({ ...b, metric: q.metric, limit: status.limit, usage: status.usage, reset_at: new Date(status.next_reset).toISOString() });
      }
    }
  }

  async deleteQuota(id: string, actor: string): Promise<boolean> {
    const q = this.quotas.get(id);
    if (!q) return false;
    await this.store.deleteEntity('quota', id);
    this.quotas.delete(id);
    await this.audit.record({ kind: 'quota', action: 'delete', actor, subject: id, data: q });
    for (const b of this.blocks.list()) {
      if (b.quota_id === id) await this.blocks.remove(b.id, actor, `quota ${id} deleted`);
    }
    return true;
  }

  async saveBudget(b: Budget, actor: string, action: string): Promise<void> {
    await this.store.putEntity('budget', b.id, b);
    this.budgets.set(b.id, b);
    await this.ensureTimeZones();
    await this.audit.record({ kind: 'budget', action, actor, subject: b.id, data: b });
  }

  async deleteBudget(id: string, actor: string): Promise<boolean> {
    const b = this.budgets.get(id);
    if (!b) return false;
    await this.store.deleteEntity('budget', id);
    this.budgets.delete(id);
    await this.audit.record({ kind: 'budget', action: 'delete', actor, subject: id, data: b });
    return true;
  }

  evaluate(quotas: readonly Quota[] = this.allQuotas()): Promise<QuotaStatus[]> {
    return evaluateQuotas(this.store, quotas, this.clock());
  }

  // ---- providers and directory ----------------------------------------------------

  async putProvider(p: ProviderConfig, actor: string): Promise<void> {
    const id = `${p.org}/${p.provider}`;
    await this.store.putEntity('provider', id, p);
    this.providers.set(id, p);
    await this.audit.record({ kind: 'provider', action: 'put', actor, subject: id, data: p });
    await this.feed.refresh();
  }

  async deleteProvider(org: string, provider: string, actor: string): Promise<boolean> {
    const id = `${org}/${provider}`;
    const p = this.providers.get(id);
    if (!p) return false;
    await this.store.deleteEntity('provider', id);
    this.providers.delete(id);
    await this.audit.record({ kind: 'provider', action: 'delete', actor, subject: id, data: p });
    await this.feed.refresh();
    return true;
  }

  /** Provider states with exact current-hour and current-day (UTC) usage. A `*` default also appears per org that used the provider today. */
  async providerStates(nowMs: number): Promise<ProviderState[]> {
    if (this.providers.size === 0) return [];
    const hour = windowStart('hour', nowMs, 'UTC');
    const day = windowStart('day', nowMs, 'UTC');
    const hourRows = await this.store.windowTotals('hour', 'UTC', hour, 'provider');
    const dayRows = await this.store.windowTotals('day', 'UTC', day, 'provider');
    const usage = (org: string, provider: string): ProviderState['usage'] => {
      const sum = (rows: typeof hourRows): { requests: number; tokens: number } => {
        let requests = 0;
        let tokens = 0;
        for (const r of rows) {
          if (r.subject !== provider || (org !== '*' && r.org !== org)) continue;
          requests += r.requests;
          tokens += r.tokens;
        }
        return { requests, tokens };
      };
      const h = sum(hourRows);
      const d = sum(dayRows);
      return {
        hour_start: new Date(hour).toISOString(), hour_requests: h.requests, hour_tokens: h.tokens,
        day_start: new Date(day).toISOString(), day_requests: d.requests, day_tokens: d.tokens,
      };
    };
    const out: ProviderState[] = [];
    const state = (p: ProviderConfig, org: string): ProviderState => ({
      org, provider: p.provider, enabled: p.enabled, priority: p.priority, limits: p.limits, usage: usage(org, p.provider),
    });
    for (const p of this.providers.values()) {
      out.push(state(p, p.org));
      if (p.org !== '*') continue;
      const orgs = new Set(dayRows.filter((r) => r.subject === p.provider && r.org !== '').map((r) => r.org));
      for (const org of orgs) if (!this.providers.has(`${org}/${p.provider}`)) out.push(state(p, org));
    }
    return out.sort((a, b) => (a.org === b.org ? a.priority - b.priority || (a.provider < b.provider ? -1 : 1) : a.org < b.org ? -1 : 1));
  }

  async putDirectory(e: DirectoryEntry, actor: string): Promise<void> {
    await this.store.putEntity('directory', e.user, e);
    this.directory.set(e.user, e);
    await this.audit.record({ kind: 'directory', action: 'put', actor, subject: e.user, data: e });
    this._refreshIfBlocksHaveMembers();
  }

  async deleteDirectory(user: string, actor: string): Promise<boolean> {
    if (!this.directory.has(user)) return false;
    await this.store.deleteEntity('directory', user);
    this.directory.delete(user);
    await this.audit.record({ kind: 'directory', action: 'delete', actor, subject: user });
    this._refreshIfBlocksHaveMembers();
    return true;
  }

  /**
   * The blocks as the feed carries them. A department or org block lists the
   * users the directory places there (`members`), so the SDK also refuses a
   * call that carries only its user, as the ledger counts that call towards
   * the department (it enriches from the directory). One directory pass per
   * refresh, however many such blocks.
   */
  private _wireBlocks(): EnforcementBlock[] {
    const blocks = this.blocks.list().map(wireBlock);
    const members = new Map<string, string[]>();
    for (const b of blocks) if ((b.scope === 'department' || b.scope === 'org') && b.subject !== '*') members.set(`${b.scope}\0${b.subject}`, []);
    if (members.size === 0) return blocks;
    for (const entry of this.directory.values()) {
      if (entry.department !== undefined) members.get(`department\0${entry.department}`)?.push(entry.user);
      if (entry.org !== undefined) members.get(`org\0${entry.org}`)?.push(entry.user);
    }
    return blocks.map((b) => {
      const users = members.get(`${b.scope}\0${b.subject}`);
      return users === undefined || users.length === 0 ? b : { ...b, members: users.sort() };
    });
  }

  /** Directory changes move users in or out of blocked departments and orgs. */
  private _refreshIfBlocksHaveMembers(): void {
    if (this.blocks.list().some((b) => b.scope === 'department' || b.scope === 'org')) this.feed.refresh().catch(this.onError);
  }

  // ---- ledger ------------------------------------------------------------------

  /** Prices, enriches and ingests validated records; durable when it resolves. */
  async ingest(records: readonly UsageRecordInput[]): Promise<IngestResult> {
    const now = this.clock();
    const catalog = this._catalog;
    const lookup = (user: string): DirectoryEntry | undefined => this.directory.get(user);
    const rows = records.map((r) => toLedgerRow(r, catalog, lookup, now));
    const result = await this.ledger.ingestRows(rows);
    if (result.rows.length > 0 && this.providers.size > 0) this.feed.schedule();
    return result;
  }

  // ---- period resets -------------------------------------------------------------

  /** Lifts quota blocks whose reset time has passed when the new window is under the limit (audited); otherwise moves their reset time. */
  async checkResets(): Promise<void> {
    if (this._resetRunning) return;
    this._resetRunning = true;
    try {
      const now = this.clock();
      const hour = windowStart('hour', now, 'UTC');
      if (hour !== this._lastHour) {
        this._lastHour = hour;
        if (this.providers.size > 0) await this.feed.refresh();
      }
      for (const b of this.blocks.list()) {
        if (b.reset_at === undefined || Date.parse(b.reset_at) > now) continue;
        const q = b.quota_id !== undefined ? this.findQuota(b.quota_id) : undefined;
        if (!q) {
          await this.blocks.remove(b.id, 'system', b.quota_id === undefined ? `reset time ${b.reset_at} reached` : `period reset: quota ${b.quota_id} no longer exists`);
          continue;
        }
        const status = await subjectUsage(this.store, q, b.subject, now);
        if (status.usage_exact < status.limit_exact) {
          await this.blocks.remove(b.id, 'system', `period reset: usage ${status.usage} < limit ${status.limit} in the window from ${new Date(status.window_start).toISOString()}`);
        } else {
          await this.blocks.update({ ...b, usage: status.usage, reset_at: new Date(nextWindowStart(q.period, now, q.timezone)).toISOString() });
        }
      }
    } finally {
      this._resetRunning = false;
    }
  }
}
