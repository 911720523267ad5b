/**
 * Cron ticks in an IANA time zone, by `croner`, which handles DST the way
 * people expect of a fixed-time job: a time in the spring-forward gap (02:30
 * when 02:00 jumps to 03:00) runs once, at the first valid time after the gap;
 * a time that occurs twice on the fall-back day runs once, at its first
 * occurrence. Jobs with wildcard or stepped hours run every real interval
 * (both 02:00s of a fall-back night for an hourly job). Five fields only
 * (minute precision), or a nickname such as `@daily`.
 */
import { Cron } from 'croner';

function cron(pattern: string, timezone: string): Cron {
  return new Cron(pattern, { timezone, paused: true, mode: '5-part' });
}

/** Why `pattern` is not a usable cron expression, or `undefined` when it is. */
export function cronProblem(pattern: string): string | undefined {
  try {
    const c = cron(pattern, 'UTC');
    if (c.nextRun(new Date(0)) === null) return 'never fires';
    return undefined;
  } catch (error) {
    return `is not a cron expression: ${(error as Error).message}`;
  }
}

export class CronSchedule {
  private readonly _cron: Cron;

  constructor(pattern: string, timezone: string) {
    this._cron = cron(pattern, timezone);
  }

  /** The first tick strictly after `ms`, or `null` when there is none. */
  next(ms: number): number | null {
    const d = this._cron.nextRun(new Date(ms));
    return d === null ? null : d.getTime();
  }

  /**
   * The latest tick at or before `now`, counting from `firstDue` (a tick not
   * yet run, ≤ now), and how many ticks were passed over on the way. Walks at
   * most `limit` ticks; past that it jumps to the latest tick and the count
   * is a lower bound.
   */
  latestDue(firstDue: number, now: number, limit = 100_000): { tick: number; skipped: number } {
    let tick = firstDue;
    let skipped = 0;
    for (let i = 0; i < limit; i++) {
      const n = this.next(tick);
      if (n === null || n > now) return { tick, skipped };
      tick = n;
      skipped++;
    }
    const latest = this._cron.previousRuns(1, new Date(now))[0]?.getTime();
    return { tick: latest !== undefined && latest > tick ? latest : tick, skipped };
  }
}
