/**
 * The report scheduler. Each schedule's state holds its next unrun tick.
 * Every `tickMillis` (and once at start-up) each enabled schedule whose next
 * tick has come is claimed with `store.claim("report-tick:<schedule>:<tick>")`,
 * which only one claimant gets across every replica on the database; the
 * winner moves the state past the tick and runs it, the others skip. A
 * schedule never runs twice at once in one process: a tick that comes while
 * its run is still going is run once that run ends.
 *
 * Missed ticks (the control plane was down, or suspended): the claim covers
 * every tick up to now with one run, for the latest of them (`catch-up`,
 * with `missed_ticks` counting the others): a daily report after three days
 * of downtime runs once, for today's tick, not three times. Relative periods
 * resolve at the run's tick.
 */
import type { CronSchedule } from './cron.js';
import { CronSchedule as Cron } from './cron.js';
import type { Schedule, ScheduleRun } from './model.js';
import type { ScheduleRepository } from './repository.js';
import type { ScheduleRunner } from './runner.js';

/** `next_tick_ms` of a schedule whose expression never fires again. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** How long a tick's claim lives: far longer than any clock difference between replicas. */
export const TICK_CLAIM_MILLIS = 7 * 24 * 3_600_000;

export interface SchedulerOptions {
  /** The schedules as stored now (re-read every tick: another replica may have changed them). */
  schedules: () => Promise<readonly Schedule[]>;
  repo: ScheduleRepository;
  runner: ScheduleRunner;
  /** The store's once-only claim (true for the first claimant of `key` while the claim lives). */
  claim: (key: string, nowMs: number, untilMs: number) => Promise<boolean>;
  clock: () => number;
  tickMillis: number;
  onError: (error: unknown) => void;
}

export function cronOf(s: Pick<Schedule, 'cron' | 'timezone'>): CronSchedule {
  return new Cron(s.cron, s.timezone);
}

/** The first tick strictly after `ms` (`NEVER` when none). */
export function nextTick(s: Pick<Schedule, 'cron' | 'timezone'>, ms: number): number {
  return cronOf(s).next(ms) ?? NEVER;
}

export class Scheduler {
  private _timer: NodeJS.Timeout | undefined;
  private _ticking: Promise<ScheduleRun[]> | undefined;
  private readonly _active = new Map<string, Promise<ScheduleRun>>();

  constructor(private readonly _o: SchedulerOptions) {}

  /** Ticks now (catching up on missed runs), then every `tickMillis`. */
  start(): void {
    if (this._timer) return;
    this._timer = setInterval(() => {
      this.tick().catch(this._o.onError);
    }, this._o.tickMillis);
    this._timer.unref();
    this.tick().catch(this._o.onError);
  }

  /** Stops ticking and waits for the runs in progress. Idempotent. */
  async stop(): Promise<void> {
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
    await this._ticking?.catch(() => undefined);
    await this.idle();
  }

  /** Resolves when every run this process started has finished. */
  async idle(): Promise<void> {
    while (this._active.size > 0) await Promise.allSettled([...this._active.values()]);
  }

  /** Claims and starts the due runs; resolves with the runs it started (they finish in the background; see `idle`). */
  tick(): Promise<ScheduleRun[]> {
    if (this._ticking) return this._ticking;
    this._ticking = this._tick().finally(() => {
      this._ticking = undefined;
    });
    return this._ticking;
  }

  private async _tick(): Promise<ScheduleRun[]> {
    const { repo, clock } = this._o;
    const now = clock();
    const [schedules, states] = await Promise.all([this._o.schedules(), repo.states()]);
    const started: ScheduleRun[] = [];
    for (const s of schedules) {
      if (!s.enabled || this._active.has(s.id)) continue;
      const known = states.get(s.id)?.next_tick_ms;
      if (known !== undefined && known > now) continue;
      try {
        const run = await this._claim(s, now);
        if (run) {
          started.push(run);
          this._start(s, run);
        }
      } catch (error) {
        this._o.onError(error);
      }
    }
    return started;
  }

  private async _claim(s: Schedule, now: number): Promise<ScheduleRun | undefined> {
    const { repo, runner } = this._o;
    const cron = cronOf(s);
    const state = await repo.state(s.id);
    const next = state?.next_tick_ms ?? cron.next(Date.parse(s.created_at)) ?? NEVER;
    if (next > now) {
      if (!state) await repo.putState(s.id, { next_tick_ms: next });
      return undefined;
    }
    const { tick, skipped } = cron.latestDue(next, now);
    // One claimant per tick across replicas; the others leave it (and the state) to the winner.
    if (!(await this._o.claim(`report-tick:${s.id}:${tick}`, now, now + TICK_CLAIM_MILLIS))) return undefined;
    const after = cron.next(tick) ?? NEVER;
    // Never move the state back (a replica whose clock is behind may win an older tick).
    const current = (await repo.state(s.id))?.next_tick_ms ?? 0;
    if (after > current) await repo.putState(s.id, { next_tick_ms: after });
    const run = runner.newRun(s, skipped > 0 ? 'catch-up' : 'schedule', now, tick, skipped);
    await repo.putRun(run);
    return run;
  }

  private _start(s: Schedule, run: ScheduleRun): void {
    const p = this._o.runner.execute(s, run).finally(() => this._active.delete(s.id));
    this._active.set(s.id, p);
  }
}
