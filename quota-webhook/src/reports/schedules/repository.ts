/**
 * The scheduler state and the run history of report schedules, in the
 * store's entity table (kinds `report-schedule-state` and
 * `report-run:<schedule id>`; the schedules themselves are the
 * `report-schedule` entity family). Nothing is cached: every replica reads
 * the same rows, so whichever replica claims a tick sees the others' claims.
 */
import type { Store } from '../../store/types.js';
import type { ScheduleRun, ScheduleState } from './model.js';

const STATE = 'report-schedule-state';
const runKind = (scheduleId: string): string => `report-run:${scheduleId}`;

export class ScheduleRepository {
  constructor(private readonly _store: Store) {}

  /** Removes a deleted schedule's state and runs. */
  async forget(id: string): Promise<void> {
    await this._store.deleteEntity(STATE, id);
    for (const r of await this._store.listEntities(runKind(id))) await this._store.deleteEntity(runKind(id), r.id);
  }

  async states(): Promise<Map<string, ScheduleState>> {
    return new Map((await this._store.listEntities<ScheduleState>(STATE)).map((e) => [e.id, e.value]));
  }

  state(id: string): Promise<ScheduleState | undefined> {
    return this._store.getEntity<ScheduleState>(STATE, id);
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
