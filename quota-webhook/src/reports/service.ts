/**
 * Reports inside the control plane: the environment reports run in, the
 * analytics sources (plugged in with `connect`), schedule CRUD (audited),
 * run history, run-now, and the scheduler's lifecycle.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { AuditLog } from '../audit.js';
import type { EntityFamily } from '../entities/entity-family.js';
import type { Store } from '../store/types.js';
import type { ReportsConfig } from './config.js';
import { folderUnder } from './destinations/folder.js';
import { realSleep, type Sleep } from './destinations/types.js';
import { ReportInputError } from './errors.js';
import type { ReportSources } from './kinds/sources.js';
import { resolvePeriod } from './periods.js';
import type { ReportEnvironment } from './run.js';
import type { Schedule, ScheduleInput, ScheduleRun } from './schedules/model.js';
import { ScheduleRepository } from './schedules/repository.js';
import { ScheduleRunner } from './schedules/runner.js';
import { NEVER, Scheduler, nextTick } from './schedules/scheduler.js';

export interface ReportsOptions {
  store: Store;
  /** The `report-schedule` entity family (loaded by the control plane). */
  schedules: EntityFamily<Schedule>;
  /** The control plane's current price table. */
  catalog: () => PriceCatalog;
  clock: () => number;
  config: ReportsConfig;
  audit: AuditLog;
  sources?: ReportSources;
  /** Retry waits of webhook and email deliveries (tests pass one that does not sleep). */
  sleep?: Sleep;
  onError: (error: unknown) => void;
}

export interface ScheduleView extends Schedule {
  /** The next tick not yet run (null when disabled or never again). */
  next_run_at: string | null;
  last_run: Pick<ScheduleRun, 'id' | 'status' | 'started_at' | 'finished_at' | 'error'> | null;
}

export class Reports {
  readonly environment: ReportEnvironment;
  readonly repo: ScheduleRepository;
  readonly runner: ScheduleRunner;
  readonly scheduler: Scheduler;
  readonly replica = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private _sources: ReportSources;
  private readonly _manual = new Set<Promise<ScheduleRun>>();

  constructor(private readonly _o: ReportsOptions) {
    this._sources = _o.sources ?? {};
    this.environment = { store: _o.store, catalog: _o.catalog, sources: () => this._sources, clock: _o.clock, maxPdfRows: _o.config.maxPdfRows };
    this.repo = new ScheduleRepository(_o.store);
    this.runner = new ScheduleRunner({ env: this.environment, config: _o.config, repo: this.repo, replica: this.replica, sleep: _o.sleep ?? realSleep, onError: _o.onError });
    this.scheduler = new Scheduler({
      schedules: async () => this._o.schedules.list() as Schedule[], repo: this.repo, runner: this.runner,
      claim: (key, now, until) => _o.store.claim(key, now, until), clock: _o.clock, tickMillis: _o.config.schedulerTickMillis, onError: _o.onError,
    });
  }

  /** Plugs in the analytics services behind the chargeback, forecast and recommendations kinds. */
  connect(sources: ReportSources): void {
    this._sources = { ...this._sources, ...sources };
  }

  get sources(): ReportSources {
    return this._sources;
  }

  /** The schedules: the family's cache, which other replicas' changes reach through the store's change feed. */
  private _fresh(): Schedule[] {
    return this._o.schedules.list() as Schedule[];
  }

  /** Marks runs left `running` for longer than `staleRunMillis` (their process stopped) as failed. */
  async init(): Promise<void> {
    const cutoff = this._o.clock() - this._o.config.staleRunMillis;
    for (const s of this._o.schedules.list()) {
      for (const r of await this.repo.runs(s.id)) {
        if (r.status !== 'running' || Date.parse(r.started_at) > cutoff) continue;
        await this.repo.putRun({
          ...r, status: 'failed', finished_at: new Date(this._o.clock()).toISOString(),
          error: 'interrupted: the control plane running it stopped before it finished',
          destinations: r.destinations.map((d) => (d.status === 'pending' ? { ...d, status: 'failed' as const } : d)),
        });
      }
    }
  }

  /** Starts the scheduler (with TOKENMETER_REPORT_SCHEDULER on): a first tick at once runs what was missed. */
  start(): void {
    if (this._o.config.schedulerEnabled) this.scheduler.start();
  }

  async close(): Promise<void> {
    await this.scheduler.stop();
    await Promise.allSettled([...this._manual]);
  }

  // ---- schedules ------------------------------------------------------------------------

  /** Checks what the schema cannot: the custom period, the folder paths, that email is configured. */
  private _check(input: ScheduleInput): void {
    try {
      resolvePeriod(input.report, this._o.clock());
    } catch (error) {
      if (error instanceof ReportInputError) throw new ReportInputError(`report.${error.path}`, error.message.slice(error.path.length + 2));
      throw error;
    }
    input.destinations.forEach((d, i) => {
      if (d.type === 'folder') {
        try {
          folderUnder(this._o.config.folderRoot, d.path);
        } catch (error) {
          throw new ReportInputError(`destinations[${i}].path`, (error as Error).message);
        }
      }
      if (d.type === 'email' && !this._o.config.smtp) {
        throw new ReportInputError(`destinations[${i}]`, 'email needs an SMTP server: set TOKENMETER_SMTP_HOST and TOKENMETER_SMTP_FROM on the control plane');
      }
    });
  }

  private async _view(s: Schedule, states?: Map<string, { next_tick_ms: number }>): Promise<ScheduleView> {
    const next = (states ?? (await this.repo.states())).get(s.id)?.next_tick_ms;
    const last = (await this.repo.runs(s.id))[0];
    return {
      ...s,
      next_run_at: !s.enabled || next === undefined || next === NEVER ? null : new Date(next).toISOString(),
      last_run: last ? { id: last.id, status: last.status, started_at: last.started_at, finished_at: last.finished_at, error: last.error } : null,
    };
  }

  async list(): Promise<ScheduleView[]> {
    const states = await this.repo.states();
    const out: ScheduleView[] = [];
    for (const s of this._fresh()) out.push(await this._view(s, states));
    return out.sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1));
  }

  private async _get(id: string): Promise<Schedule | undefined> {
    return this._o.schedules.get(id) as Schedule | undefined;
  }

  async get(id: string): Promise<ScheduleView | undefined> {
    const s = await this._get(id);
    return s ? this._view(s) : undefined;
  }

  async create(input: ScheduleInput, actor: string): Promise<ScheduleView> {
    this._check(input);
    const now = new Date(this._o.clock()).toISOString();
    const s: Schedule = { id: randomUUID(), ...input, created_at: now, updated_at: now };
    await this.repo.putState(s.id, { next_tick_ms: nextTick(s, this._o.clock()) });
    await this._o.schedules.put(s.id, s, actor, 'create');
    return this._view(s);
  }

  /** Replaces a schedule; a changed cron, time zone or enabled flag restarts its ticks from now (no catch-up for the old ones). */
  async replace(id: string, input: ScheduleInput, actor: string): Promise<ScheduleView | undefined> {
    const old = await this._get(id);
    if (!old) return undefined;
    this._check(input);
    const s: Schedule = { ...input, id, created_at: old.created_at, updated_at: new Date(this._o.clock()).toISOString() };
    if (old.cron !== s.cron || old.timezone !== s.timezone || old.enabled !== s.enabled) {
      await this.repo.putState(id, { next_tick_ms: nextTick(s, this._o.clock()) });
    }
    await this._o.schedules.put(id, s, actor, 'update');
    return this._view(s);
  }

  async delete(id: string, actor: string): Promise<boolean> {
    if (!(await this._get(id))) return false;
    await this._o.schedules.delete(id, actor);
    await this.repo.forget(id);
    return true;
  }

  async runs(id: string, limit: number): Promise<ScheduleRun[] | undefined> {
    if (!(await this._get(id))) return undefined;
    return (await this.repo.runs(id)).slice(0, limit);
  }

  /** Starts a manual run now; `wait` resolves with the finished run, otherwise with it just started. */
  async runNow(id: string, actor: string, wait: boolean): Promise<ScheduleRun | undefined> {
    const s = await this._get(id);
    if (!s) return undefined;
    const run = this.runner.newRun(s, 'manual', this._o.clock(), null, 0);
    await this.repo.putRun(run);
    await this._o.audit.record({ kind: 'report-schedule', action: 'run', actor, subject: id, data: { run: run.id } });
    const started = structuredClone(run);
    const p = this.runner.execute(s, run);
    this._manual.add(p);
    p.finally(() => this._manual.delete(p)).catch(() => undefined);
    return wait ? p : started;
  }

  /** Resolves when every run started in this process (scheduled or manual) has finished. */
  async idle(): Promise<void> {
    await this.scheduler.idle();
    while (this._manual.size > 0) await Promise.allSettled([...this._manual]);
  }
}
