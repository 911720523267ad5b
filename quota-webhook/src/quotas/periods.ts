/**
 * Calendar period windows in IANA time zones, DST-correct, via
 * `Intl.DateTimeFormat` (no tz database of our own). Weeks start on Monday
 * (ISO 8601). Results are memoised per (zone, 15-minute UTC slot): every
 * real-world UTC offset and DST transition lies on that grid, so all four
 * window starts are constant inside one slot.
 */
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const SLOT = 900_000;

export interface WindowStarts {
  hour: number;
  day: number;
  week: number;
  month: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface LocalParts { y: number; m: number; d: number; h: number; mi: number; s: number }

function localParts(ms: number, tz: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { y: out.year!, m: out.month!, d: out.day!, h: out.hour! % 24, mi: out.minute!, s: out.second! };
}

/** Offset of `tz` from UTC at instant `ms`, in milliseconds (local − UTC). */
export function offsetAt(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const floored = Math.floor(ms / 1000) * 1000;
  const p = localParts(floored, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - floored;
}

/** The UTC instant of local midnight starting calendar day (y, m, d) in `tz` (the first instant of that day, also across DST gaps). */
function localMidnight(y: number, m: number, d: number, tz: string): number {
  const naive = Date.UTC(y, m - 1, d);
  // Try the offsets around the date; keep the earliest instant whose local date is (y, m, d).
  let best = Number.POSITIVE_INFINITY;
  for (const probe of [naive - DAY, naive, naive + DAY]) {
    const guess = naive - offsetAt(probe, tz);
    const p = localParts(guess, tz);
    if (p.y === y && p.m === m && p.d === d) {
      // Walk back to the exact first instant of the day (handles a midnight DST gap, where the day starts at 01:00).
      const start = guess - (p.h * HOUR + p.mi * 60_000 + p.s * 1000);
      const q = localParts(start, tz);
      const candidate = q.y === y && q.m === m && q.d === d ? start : guess;
      best = Math.min(best, candidate);
    }
  }
  if (Number.isFinite(best)) return best;
  return naive - offsetAt(naive, tz);
}

function computeStarts(ms: number, tz: string): WindowStarts {
  if (tz === 'UTC') {
    const d = new Date(ms);
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
    return { hour: ms - (((ms % HOUR) + HOUR) % HOUR), day, week: day - dow * DAY, month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) };
  }
  const offset = offsetAt(ms, tz);
  const local = ms + offset;
  const hour = ms - (((local % HOUR) + HOUR) % HOUR);
  const p = localParts(ms, tz);
  const day = localMidnight(p.y, p.m, p.d, tz);
  const dow = (new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(p.y, p.m - 1, p.d - dow));
  const week = localMidnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), tz);
  const month = localMidnight(p.y, p.m, 1, tz);
  return { hour, day, week, month };
}

const MEMO_LIMIT = 50_000;
const memo = new Map<string, WindowStarts>();

/** Starts (UTC epoch ms) of the hour, day, week and month windows containing `ms` in `tz`. */
export function windowStarts(ms: number, tz: string): WindowStarts {
  if (tz === 'UTC') return computeStarts(ms, tz);
  const slot = Math.floor(ms / SLOT);
  const key = `${tz}\u0000${slot}`;
  let starts = memo.get(key);
  if (!starts) {
    starts = computeStarts(slot * SLOT, tz);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, starts);
  }
  return starts;
}

/** Start of the `period` window containing `ms` in `tz`. */
export function windowStart(period: QuotaPeriod, ms: number, tz: string): number {
  return windowStarts(ms, tz)[period];
}

/** Start of the window after the one containing `ms` (the next reset). */
export function nextWindowStart(period: QuotaPeriod, ms: number, tz: string): number {
  const start = windowStart(period, ms, tz);
  if (period === 'hour') return start + HOUR;
  if (tz === 'UTC' && period === 'day') return start + DAY;
  if (tz === 'UTC' && period === 'week') return start + 7 * DAY;
  const p = localParts(start, tz);
  if (period === 'day') {
    const n = new Date(Date.UTC(p.y, p.m - 1, p.d + 1));
    return localMidnight(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), tz);
  }
  if (period === 'week') {
    const n = new Date(Date.UTC(p.y, p.m - 1, p.d + 7));
    return localMidnight(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), tz);
  }
  const n = new Date(Date.UTC(p.y, p.m, 1));
  return localMidnight(n.getUTCFullYear(), n.getUTCMonth() + 1, 1, tz);
}
