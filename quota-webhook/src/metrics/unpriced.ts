/**
 * Calls without a price per period window, from the analytics rollup (15-minute
 * UTC buckets: every time zone's hours, days, weeks and months are whole
 * buckets, so the sums are exact). The total (`all`) is one indexed range read
 * per scrape. The breakdown by department and by model scans the rollup of
 * those scopes, so it is read again only when a total changed (new unpriced
 * calls, or a re-pricing): normally never, as unpriced calls are an error.
 */
import { num } from '../store/rows.js';
import type { Store } from '../store/types.js';
import { ALL_SUBJECT, NONE_SUBJECT } from './period-totals.js';

/** Scopes of the unpriced gauge besides `all`: the department filter of the dashboards, and the model to price. */
export const UNPRICED_SCOPES = ['department', 'model'] as const;
export type UnpricedScope = 'all' | (typeof UNPRICED_SCOPES)[number];

export interface UnpricedWindow {
  period: string;
  tz: string;
  window_start: number;
  next_start: number;
}

/** Unpriced calls of one window per scope → subject (`all` → `*`; departments include `(none)`). */
export type UnpricedCounts = Map<UnpricedScope, Map<string, number>>;

interface Bucketed {
  subject: string;
  bucket_ms: number;
  unpriced: number;
}

function sumIn(rows: readonly Bucketed[], w: UnpricedWindow): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.bucket_ms < w.window_start || r.bucket_ms >= w.next_start || r.unpriced === 0) continue;
    out.set(r.subject, (out.get(r.subject) ?? 0) + r.unpriced);
  }
  return out;
}

/** Reads unpriced counts per window; keeps the breakdown between scrapes while the totals stay the same. */
export class UnpricedReader {
  private _breakdownKey = '';
  private _breakdown: Bucketed[][] = [];

  constructor(private readonly _store: Store) {}

  async read(windows: readonly UnpricedWindow[]): Promise<UnpricedCounts[]> {
    if (windows.length === 0) return [];
    const from = Math.min(...windows.map((w) => w.window_start));
    const to = Math.max(...windows.map((w) => w.next_start));
    // Only the buckets with unpriced calls, found through the rollup's key (scope, subject, bucket).
    const all = (await this._store.readQuery(
      'SELECT bucket_ms, unpriced FROM rollup WHERE scope = ? AND subject = ? AND bucket_ms >= ? AND bucket_ms < ? AND unpriced > 0', ['all', ALL_SUBJECT, from, to]))
      .map((r) => ({ subject: ALL_SUBJECT, bucket_ms: num(r.bucket_ms), unpriced: num(r.unpriced) }));
    const totals = windows.map((w) => sumIn(all, w).get(ALL_SUBJECT) ?? 0);
    const key = `${from}:${to}:${totals.join(',')}`;
    if (totals.some((t) => t > 0) && key !== this._breakdownKey) {
      this._breakdown = await Promise.all(UNPRICED_SCOPES.map(async (scope) => {
        const rows = await this._store.readQuery(
          'SELECT subject, bucket_ms, unpriced FROM rollup WHERE scope = ? AND bucket_ms >= ? AND bucket_ms < ? AND unpriced > 0', [scope, from, to]);
        return rows.map((r) => ({ subject: String(r.subject), bucket_ms: num(r.bucket_ms), unpriced: num(r.unpriced) }));
      }));
      this._breakdownKey = key;
    } else if (totals.every((t) => t === 0)) {
      this._breakdown = [];
      this._breakdownKey = key;
    }
    return windows.map((w, i) => {
      const total = totals[i]!;
      const counts: UnpricedCounts = new Map([['all', new Map([[ALL_SUBJECT, total]])]]);
      UNPRICED_SCOPES.forEach((scope, s) => {
        const bySubject = total === 0 ? new Map<string, number>() : sumIn(this._breakdown[s] ?? [], w);
        if (scope === 'department') {
          let named = 0;
          for (const v of bySubject.values()) named += v;
          if (total > named) bySubject.set(NONE_SUBJECT, total - named);
        }
        counts.set(scope, bySubject);
      });
      return counts;
    });
  }
}

