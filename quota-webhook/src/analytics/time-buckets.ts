/**
 * Calendar buckets in an IANA time zone for the analytics endpoints: hour,
 * day, week (Monday) and month buckets aligned to local time, DST-correct
 * (a local day is 23 or 25 hours on transition days; an hour bucket is a
 * local hour, so 01:00–02:00 can occur twice). The same windows as the
 * quota periods (zone.ts follows their algorithm with cached offsets), so
 * analytics and quotas agree on every boundary. Every real UTC
 * offset is a multiple of 15 minutes, so 15-minute UTC slots fall wholly in
 * one bucket of any granularity in any zone.
 */
import { fieldsAt, nextStartOf, startOf, zoneOffset } from './zone.js';

export type Granularity = 'hour' | 'day' | 'week' | 'month';

export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week', 'month'];

/** Start of the bucket containing `ms`. */
export function bucketStart(ms: number, granularity: Granularity, tz: string): number {
  return startOf(granularity, ms, tz);
}

/** Start of the bucket after the one containing `ms`. */
export function nextBucketStart(ms: number, granularity: Granularity, tz: string): number {
  return nextStartOf(granularity, ms, tz);
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
  const f = fieldsAt(ms, tz);
  return { year: f.y, month: f.m, day: f.d, hour: f.h, minute: f.mi, weekday: f.weekday };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date of an instant as `YYYY-MM-DD`. */
export function localDate(ms: number, tz: string): string {
  const t = fieldsAt(ms, tz);
  return `${t.y}-${pad(t.m)}-${pad(t.d)}`;
}

/** Hour of the week (Monday 00:00 = 0 … Sunday 23:00 = 167) in local time. */
export function hourOfWeek(ms: number, tz: string): number {
  const t = fieldsAt(ms, tz);
  return t.weekday * 24 + t.h;
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2026-03-29T00:00:00+01:00` (what a user in `tz` reads). */
export function isoInZone(ms: number, tz: string): string {
  const t = fieldsAt(ms, tz);
  const offsetMin = Math.round(zoneOffset(ms, tz) / 60_000);
  const abs = Math.abs(offsetMin);
  const date = `${t.y}-${pad(t.m)}-${pad(t.d)}T${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`;
  return offsetMin === 0 ? `${date}Z` : `${date}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
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
