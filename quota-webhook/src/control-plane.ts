/**
 * The control plane's parts, wired together, independent of HTTP: the store,
 * the ledger and its door, one class per configuration family (quotas and
 * budgets, prices, providers, directory, time zones), blocks, the
 * enforcement feed and the period-reset timer. Each part owns its state;
 * this class only connects their changes.
 */
import { AnomalyMonitor } from './analytics/monitor.js';
import { analyticsReportSources } from './analytics/report-sources.js';
import { AuditLog } from './audit.js';
import { ChargebackSettings } from './chargeback/settings.js';
import type { Config } from './config.js';
import { Directory } from './directory/directory.js';
import { EntityFamily } from './entities/entity-family.js';
import { BlockSet } from './enforcement/blocks.js';
import { EnforcementFeed } from './enforcement/feed.js';
import { IngestBlocks } from './enforcement/ingest-blocks.js';
import { QuotaBlocks } from './enforcement/quota-blocks.js';
import { wireBlocks } from './enforcement/wire-blocks.js';
import { UsageIntake } from './ledger/intake.js';
import { Ledger } from './ledger/ledger.js';
import { LedgerQueries } from './ledger/queries.js';
import { TimeZones } from './ledger/time-zones.js';
import { ForecastMonthEndCache } from './metrics/month-end-forecast.js';
import { Prices } from './prices/prices.js';
import { Providers } from './providers/providers.js';
import { windowStart } from './quotas/periods.js';
import { QuotaSet } from './quotas/quota-set.js';
import type { Schedule } from './reports/schedules/model.js';
import { Reports } from './reports/service.js';
import type { Store, StoreChange } from './store/types.js';

export type { ProviderConfig } from './providers/providers.js';
export type { DirectoryEntry } from './directory/directory.js';

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
  readonly onError: (error: unknown) => void;
  readonly onInfo: (message: string, data?: object) => void;
  readonly audit: AuditLog;
  readonly ledger: Ledger;
  /** Exact aggregate reads (analytics). */
  readonly queries: LedgerQueries;
  readonly intake: UsageIntake;
  readonly timeZones: TimeZones;
  readonly quotaSet: QuotaSet;
  readonly prices: Prices;
  readonly providers: Providers;
  readonly directory: Directory;
  /** Allocation rules, feature values and batchable marks, recommendation dismissals. */
  readonly chargeback: ChargebackSettings;
  readonly blocks: BlockSet;
  readonly quotaBlocks: QuotaBlocks;
  readonly ingestBlocks: IngestBlocks;
  readonly feed: EnforcementFeed;
  /** Report schedules (audited CRUD; runs and scheduler state are kept by `reports`). */
  readonly reportSchedules: EntityFamily<Schedule>;
  /** Reports run now, report schedules, their runs and the scheduler. */
  readonly reports: Reports;
  /** The month-end forecast `/metrics` publishes, computed in the background (stopped by `close()`). */
  readonly monthEndForecast: ForecastMonthEndCache;
  /** The ledger anomaly detection `/metrics` publishes, run in the background (stopped by `close()`). */
  readonly anomalyMonitor: AnomalyMonitor;
  private _resetTimer: NodeJS.Timeout | undefined;
  private _lastHour = 0;
  private _lastPrune = 0;
  private _started = false;
  private _stopWatch: (() => void) | undefined;
  /** Changes other replicas made while this one was loading: applied once it has loaded. */
  private _heldChanges: StoreChange[] | undefined = [];

  constructor(options: ControlPlaneOptions) {
    this.config = options.config;
    this.store = options.store;
    const clock = (this.clock = options.clock ?? Date.now);
    this.onError = options.onError ?? ((e) => console.error(e));
    this.onInfo = options.onInfo ?? (() => {});
    const store = this.store;
    this.audit = new AuditLog(store, clock);
    this.timeZones = new TimeZones(store, () => this.ledger, this.onInfo);
    this.ledger = new Ledger(store, () => this.timeZones.list());
    this.queries = new LedgerQueries(store);
    this.quotaSet = new QuotaSet(store, this.audit, clock);
    this.prices = new Prices(store, this.audit);
    this.providers = new Providers(store, this.audit);
    this.directory = new Directory(store, this.audit);
    this.chargeback = new ChargebackSettings(store, this.audit, clock);
    this.feed = new EnforcementFeed(
      store,
      { blocks: () => wireBlocks(this.blocks.list(), this.directory.view.values()), providers: (now) => this.providers.states(now) },
      clock,
      this.config.sseCoalesceMillis,
      this.onError,
    );
    this.blocks = new BlockSet(store, this.audit, () => this.feed.refresh());
    this.quotaBlocks = new QuotaBlocks(store, this.blocks, this.quotaSet, clock);
    this.ingestBlocks = new IngestBlocks(this.quotaSet, this.blocks, clock, this.onError, this.config.blockAtIngest);
    this.intake = new UsageIntake(this.ledger, this.prices, this.directory, clock, async (_rows, totals) => {
      // A batch that takes a hard quota to its limit blocks before the sender hears 200.
      if (totals.length > 0) await this.ingestBlocks.check(totals);
      if (this.providers.size > 0) {
        this.feed.schedule();
        // Other replicas' feeds carry provider usage too.
        this.store.publish('usage', '').catch(this.onError);
      }
    }, () => this.ingestBlocks.active);
    this.reportSchedules = new EntityFamily<Schedule>('report-schedule', store, this.audit);
    this.reports = new Reports({
      store, schedules: this.reportSchedules, catalog: () => this.prices.catalog, clock, config: this.config.reports,
      audit: this.audit, onError: this.onError,
    });
    this.reports.connect(analyticsReportSources(this));
    this.monthEndForecast = new ForecastMonthEndCache({ maxSubjects: this.config.metricsForecastMaxSubjects, onError: this.onError, onInfo: this.onInfo });
    this.anomalyMonitor = new AnomalyMonitor(this, { onError: this.onError, onInfo: this.onInfo });

    // A quota or budget in a new time zone gets that zone's totals; a changed quota's blocks follow it.
    this.quotaSet.quotas.onChange(async ({ id, value, actor }) => {
      if (value === undefined) return this.quotaBlocks.quotaDeleted(id, actor);
      await this.timeZones.ensure([value.timezone]);
      await this.quotaBlocks.quotaChanged(value, actor);
    });
    this.quotaSet.budgets.onChange(async ({ value }) => {
      if (value !== undefined) await this.timeZones.ensure([value.timezone]);
    });
    // Provider and directory changes (here or on another replica) reach the feed; directory changes move
    // users in or out of blocked departments and orgs.
    this.providers.onCacheChange(() => {
      if (this._started) this.feed.refresh().catch(this.onError);
    });
    this.directory.onCacheChange(() => {
      if (this._started && this.blocks.list().some((b) => b.scope === 'department' || b.scope === 'org')) this.feed.refresh().catch(this.onError);
    });
  }

  /** Applies a change another replica made to the shared database. */
  private async _remoteChange(change: StoreChange): Promise<void> {
    if (this._heldChanges !== undefined) {
      this._heldChanges.push(change);
      return;
    }
    if (change.kind === 'block') await this.blocks.reload(change.id);
    else if (change.kind === 'meta' && change.id === 'timezones') await this.timeZones.load();
    else if (change.kind === 'usage') {
      if (this.providers.size > 0) this.feed.schedule();
    } else await EntityFamily.of(this.store).get(change.kind)?.reload(change.id);
  }

  /** After a lost connection to the change feed: everything may have changed. */
  private async _resync(): Promise<void> {
    for (const family of EntityFamily.of(this.store).values()) await family.load();
    await this.timeZones.load();
    await this.blocks.load();
    await this.feed.refresh();
  }

  async init(): Promise<void> {
    const { rebuild } = await this.store.init();
    // Replicas on one database: listen before loading, so that another replica's change is either in what is
    // loaded or heard (held until loaded, then applied), and apply the others' changes as they happen.
    const watch = this.store.watch(
      (change) => void this._remoteChange(change).catch(this.onError),
      () => void this._resync().catch(this.onError),
    );
    this._stopWatch = watch.stop;
    await watch.listening;
    await Promise.all([
      this.quotaSet.load(), this.prices.load(), this.providers.load(), this.directory.load(), this.timeZones.load(), this.reportSchedules.load(),
      this.chargeback.load(),
    ]);
    if (rebuild) {
      const r = await this.ledger.rebuildTotals(this.timeZones.list(), { rollup: true });
      this.onInfo('migrated the ledger: totals and rollup rebuilt from the records', r);
    }
    await this.timeZones.ensure(this.quotaSet.all().map((q) => q.timezone));
    await this.blocks.load();
    await this.feed.init();
    await this.reports.init();
    this._lastHour = windowStart('hour', this.clock(), 'UTC');
    this._started = true;
    const held = this._heldChanges ?? [];
    this._heldChanges = undefined;
    for (const change of held) await this._remoteChange(change);
  }

  /** Starts the period-reset timer (blocks lift at their quota's next window when usage there is under the limit). */
  start(): void {
    if (this._resetTimer) return;
    this._resetTimer = setInterval(() => {
      this.tick().catch(this.onError);
    }, this.config.resetCheckMillis);
    this._resetTimer.unref();
    this.reports.start();
  }

  /** One timer tick: a new UTC hour refreshes provider usage on the feed; blocks past their reset are checked. */
  async tick(): Promise<void> {
    const hour = windowStart('hour', this.clock(), 'UTC');
    if (hour !== this._lastHour) {
      this._lastHour = hour;
      if (this.providers.size > 0) await this.feed.refresh();
    }
    await this.quotaBlocks.checkResets();
    if (hour !== this._lastPrune) {
      this._lastPrune = hour;
      await this.store.pruneClaims(this.clock());
    }
  }

  async close(): Promise<void> {
    this._stopWatch?.();
    if (this._resetTimer) clearInterval(this._resetTimer);
    this._resetTimer = undefined;
    this.feed.close();
    // Background reads end before the store closes.
    await Promise.all([this.monthEndForecast.close(), this.anomalyMonitor.close()]);
    await this.reports.close();
    await this.store.close();
  }
}
