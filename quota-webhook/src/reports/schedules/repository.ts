/**
 * Schedules, their scheduler state and their run history in the store's
 * entity table (kinds `report-schedule`, `report-schedule-state` and
 * `report-run:<schedule id>`). Nothing is cached: every replica reads the
 * same rows, so a schedule created on one is run by whichever claims its tick.
 */
import type { Store } from '../../store/types.js';
import type { Schedule, ScheduleRun, ScheduleState } from './model.js';

const SCHEDULE = 'report-schedule';
const STATE = 'report-schedule-state';
const runKind = (scheduleId: string): string => `report-run:${scheduleId}`;

export class ScheduleRepository {
  constructor(private readonly _store: Store) {}

  async list(): Promise<Schedule[]> {
    return (await this._store.listEntities<Schedule>(SCHEDULE)).map((e) => e.value);
  }

  async get(id: string): Promise<Schedule | undefined> {
    return (await this._store.listEntities<Schedule>(SCHEDULE)).find((e) => e.id === id)?.value;
  }

  put(s: Schedule): Promise<void> {
    return this._store.putEntity(SCHEDULE, s.id, s);
  }

  /** Removes the schedule, its state and its runs. */
  async delete(id: string): Promise<boolean> {
    const existed = await this._store.deleteEntity(SCHEDULE, id);
    await this._store.deleteEntity(STATE, id);
    for (const r of await this._store.listEntities(runKind(id))) await this._store.deleteEntity(runKind(id), r.id);
    return existed;
  }

  async states(): Promise<Map<string, ScheduleState>> {
    return new Map((await this._store.listEntities<ScheduleState>(STATE)).map((e) => [e.id, e.value]));
  }

  async state(id: string): Promise<ScheduleState | undefined> {
    return (await this.states()).get(id);
  }

  putState(id: string, s: ScheduleState): Promise<void> {
    return this._store.putEntity(STATE, id, s);
  }

  /** Newest first. */
  async runs(scheduleId: string): Promise<ScheduleRun[]> {
    const runs = (await this._store.listEntities<ScheduleRun>(runKind(scheduleId))).map((e) => e.value);
    return runs.sort((a, b) => (a.started_at === b.started_at ? (a.id < b.id ? 1 : -1) : a.started_at < b.started_at ? 1 : -1));
  }

  putRun(run: ScheduleRun): Promise<void> {
    return this._store.putEntity(runKind(run.schedule_id), run.id, run);
  }

  /** Keeps the newest `keep` runs of a schedule. */
  async prune(scheduleId: string, keep: number): Promise<number> {
    const runs = await this.runs(scheduleId);
    const old = runs.slice(keep);
    for (const r of old) await this._store.deleteEntity(runKind(scheduleId), r.id);
    return old.length;
  }
}
