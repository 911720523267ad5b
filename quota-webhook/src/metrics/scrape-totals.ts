/**
 * One read of each running-totals window per scrape: the quota gauges and the
 * period gauges both need the current month (and day) of the same zones, and
 * reading 10,000 users' rows twice was a fifth of a scrape. Rows are shared
 * per window for the life of one object, so make one per scrape.
 */
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import type { Store, TotalRow } from '../store/types.js';

/** The totals reads the gauges make. */
export type TotalsSource = Pick<Store, 'windowsTotals' | 'windowTotals'>;

type Window = { period: QuotaPeriod; tz: string; window_start: number };

export function scrapeTotals(store: Store): TotalsSource {
  const windows = new Map<string, Promise<TotalRow[]>>();
  const key = (w: Window): string => `${w.period}\u0000${w.tz}\u0000${w.window_start}`;
  return {
    async windowsTotals(wanted) {
      const missing = wanted.filter((w) => !windows.has(key(w)));
      if (missing.length > 0) {
        // One store query for every window not read yet, split per window (rows come grouped by window).
        const read = store.windowsTotals(missing);
        for (const w of missing) {
          windows.set(key(w), read.then((rows) => rows.filter((r) => r.period === w.period && r.tz === w.tz && r.window_start === w.window_start)));
        }
      }
      return (await Promise.all(wanted.map((w) => windows.get(key(w))!))).flat();
    },
    windowTotals: (period, tz, windowStart, scope) => store.windowTotals(period, tz, windowStart, scope),
  };
}
