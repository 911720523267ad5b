/**
 * Calendar buckets in an IANA time zone for the analytics endpoints: hour,
 * day, week (Monday) and month buckets aligned to local time, DST-correct
 * (a local day is 23 or 25 hours on transition days; an hour bucket is a
 * local hour, so 01:00–02:00 can occur twice). Built on the quota period
 * windows, so analytics and quotas agree on every boundary. Every real UTC
 * offset is a multiple of 15 minutes, so 15-minute UTC slots fall wholly in
 * one bucket of any granularity in any zone.
 */
import { nextWindowStart, windowStart } from '../quotas/periods.js';

export type Granularity = 'hour' | 'day' | 'week' | 'month';

export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week', 'month'];

/** Start of the bucket containing `ms`. */
export function bucketStart(ms: number, granularity: Granularity, tz: string): number {
  return windowStart(granularity, ms, tz);
}

/** Start of the bucket after the one containing `ms`. */
export function nextBucketStart(ms: number, granularity: Granularity, tz: string): number {
  return nextWindowStart(granularity, ms, tz);
}

/** Starts of the buckets that cover [from, to), in order (the first may begin before `from`). */
export function bucketStarts(from: number, to: number, granularity: Granularity, tz: string, limit = 100_000): number[] {
  const out: number[] = [];
  let s = bucketStart(from, granularity, tz);
  while (s < to) {
    out.push(s);
    if (out.length > limit) throw new RangeError(`more than ${limit} ${granularity} buckets`);
    s = nextBucketStart(s, granularity, tz);
  }
  return out;
}

/** Index of the bucket (given by sorted starts) that contains `ms`, or −1 outside them (`end` closes the last bucket). */
export function bucketIndex(starts: readonly number[], ms: number, end: number): number {
  if (starts.length === 0 || ms < starts[0]! || ms >= end) return -1;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** Monday = 0 … Sunday = 6. */
  weekday: number;
}

/** Local calendar fields of an instant in `tz`. */
export function localTime(ms: number, tz: string): LocalTime {
  let f = partFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    partFormatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const weekday = (new Date(Date.UTC(p.year!, p.month! - 1, p.day!)).getUTCDay() + 6) % 7;
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour! % 24, minute: p.minute!, weekday };
}

/** Local date of an instant as `YYYY-MM-DD`. */
export function localDate(ms: number, tz: string): string {
  const t = localTime(ms, tz);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

/** Hour of the week (Monday 00:00 = 0 … Sunday 23:00 = 167) in local time. */
export function hourOfWeek(ms: number, tz: string): number {
  const t = localTime(ms, tz);
  return t.weekday * 24 + t.hour;
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T00:00:00+01:00` (what a user in `tz` reads). */
export function isoInZone(ms: number, tz: string): string {
  const t = localTime(ms, tz);
  const localMs = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, new Date(ms).getUTCSeconds());
  const offsetMin = Math.round((localMs - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const date = `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(new Date(ms).getUTCSeconds())}`;
  return offsetMin === 0 ? `${date}Z` : `${date}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export interface MonthSpan {
  /** Local month start and the next month's start (UTC ms). */
  start: number;
  end: number;
  /** Starts of the month's local days. */
  days: number[];
  /** Index in `days` of the day containing the instant. */
  today: number;
}

/** The local month containing `ms`, with its days (28–31 of them). */
export function monthSpan(ms: number, tz: string): MonthSpan {
  const start = bucketStart(ms, 'month', tz);
  const end = nextBucketStart(ms, 'month', tz);
  const days = bucketStarts(start, end, 'day', tz);
  return { start, end, days, today: bucketIndex(days, ms, end) };
}
