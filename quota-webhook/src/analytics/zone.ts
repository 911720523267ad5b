/**
 * Fast local-time arithmetic for analytics, which walks thousands of hour
 * and day buckets per answer: `Intl.DateTimeFormat` costs tens of µs a call,
 * so a zone's UTC offset changes are found once per (zone, year) — one Intl
 * call per day of the year, then bisection to the second at each change —
 * and everything else is integer arithmetic on UTC fields. Window starts
 * follow the quota periods' own algorithm (quotas/periods.ts) step by step,
 * so analytics buckets and quota windows agree on every boundary (a test
 * compares them across zones with DST, half-hour and midnight changes).
 */
import { offsetAt } from '../quotas/periods.js';

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Year {
  /** Offset at the year's first instant (UTC), then each change. */
  base: number;
  changes: Array<{ at: number; offset: number }>;
}

const years = new Map<string, Year>();

function yearOf(tz: string, year: number): Year {
  const key = `${tz}\u0000${year}`;
  let y = years.get(key);
  if (y) return y;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const base = offsetAt(start, tz);
  const changes: Year['changes'] = [];
  let prevT = start;
  let prev = base;
  for (let t = start + DAY; t <= end; t += DAY) {
    const o = offsetAt(Math.min(t, end - SECOND), tz);
    if (o !== prev) {
      // Bisect (prevT, t] to the first second with the new offset.
      let lo = prevT;
      let hi = Math.min(t, end - SECOND);
      while (hi - lo > SECOND) {
        const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
        if (offsetAt(mid, tz) === prev) lo = mid;
        else hi = mid;
      }
      changes.push({ at: hi, offset: offsetAt(hi, tz) });
      prev = offsetAt(hi, tz);
    }
    prevT = t;
  }
  y = { base, changes };
  if (years.size > 10_000) years.clear();
  years.set(key, y);
  return y;
}

/** Offset of `tz` from UTC at `ms` (local − UTC), as `offsetAt` of quotas/periods.ts gives it. */
export function zoneOffset(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const t = Math.floor(ms / SECOND) * SECOND;
  const y = yearOf(tz, new Date(t).getUTCFullYear());
  let o = y.base;
  for (const c of y.changes) {
    if (c.at <= t) o = c.offset;
    else break;
  }
  return o;
}

/** The offset changes of `tz` in (from, to], in order. */
export function offsetChanges(from: number, to: number, tz: string): Array<{ at: number; offset: number }> {
  if (tz === 'UTC' || !(to > from)) return [];
  const out: Array<{ at: number; offset: number }> = [];
  for (let year = new Date(from).getUTCFullYear(); year <= new Date(to).getUTCFullYear(); year++) {
    for (const c of yearOf(tz, year).changes) if (c.at > from && c.at <= to) out.push(c);
  }
  return out;
}

export interface Fields {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** Monday = 0. */
  weekday: number;
}

/** Local calendar fields of `ms` in `tz` (to the second). */
export function fieldsAt(ms: number, tz: string): Fields {
  const t = Math.floor(ms / SECOND) * SECOND;
  const d = new Date(t + zoneOffset(t, tz));
  return {
    y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(),
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

/** The first instant of local calendar day (y, m, d) (quotas/periods.ts `localMidnight`, with the fast offsets). */
export function localMidnight(y: number, m: number, d: number, tz: string): number {
  const naive = Date.UTC(y, m - 1, d);
  if (tz === 'UTC') return naive;
  let best = Number.POSITIVE_INFINITY;
  for (const probe of [naive - DAY, naive, naive + DAY]) {
    const guess = naive - zoneOffset(probe, tz);
    const p = fieldsAt(guess, tz);
    if (p.y === y && p.m === m && p.d === d) {
      const start = guess - (p.h * HOUR + p.mi * MINUTE + p.s * SECOND);
      const q = fieldsAt(start, tz);
      best = Math.min(best, q.y === y && q.m === m && q.d === d ? start : guess);
    }
  }
  return Number.isFinite(best) ? best : naive - zoneOffset(naive, tz);
}

export type Period = 'hour' | 'day' | 'week' | 'month';

/** Start of the `period` window containing `ms` (quotas/periods.ts `windowStart`). */
export function startOf(period: Period, ms: number, tz: string): number {
  // periods.ts computes the starts at the 15-minute slot holding `ms`.
  const slot = Math.floor(ms / 900_000) * 900_000;
  if (period === 'hour') {
    const local = slot + zoneOffset(slot, tz);
    return slot - (((local % HOUR) + HOUR) % HOUR);
  }
  const p = fieldsAt(slot, tz);
  if (period === 'day') return localMidnight(p.y, p.m, p.d, tz);
  if (period === 'week') {
    const monday = new Date(Date.UTC(p.y, p.m - 1, p.d - p.weekday));
    return localMidnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), tz);
  }
  return localMidnight(p.y, p.m, 1, tz);
}

/** Start of the window after the one containing `ms` (quotas/periods.ts `nextWindowStart`). */
export function nextStartOf(period: Period, ms: number, tz: string): number {
  const start = startOf(period, ms, tz);
  if (period === 'hour') return start + HOUR;
  const p = fieldsAt(start, tz);
  const n = period === 'day' ? new Date(Date.UTC(p.y, p.m - 1, p.d + 1))
    : period === 'week' ? new Date(Date.UTC(p.y, p.m - 1, p.d + 7))
      : new Date(Date.UTC(p.y, p.m, 1));
  return localMidnight(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), tz);
}
