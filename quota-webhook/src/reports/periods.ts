/**
 * Report periods: presets (`last_month`, `month_to_date`, …) and `YYYY-MM-DD`
 * dates resolve in the report's IANA time zone, DST-correct, on the calendar
 * windows of `quotas/periods.ts` (weeks start on Monday). Every period is
 * [from, to): `*_to_date` and `today` end at the generation time; `last_N_days`
 * are the N whole days before today (today is left out, so the report does not
 * change when it is run again later the same day).
 */
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import { nextWindowStart, offsetAt, windowStart } from '../quotas/periods.js';
import type { PeriodPreset, ReportDefinition } from './definition.js';
import { ReportInputError } from './errors.js';
import type { ReportPeriod } from './model.js';

const HOUR = 3_600_000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local wall-clock fields of an instant in `tz`. */
function local(ms: number, tz: string): Date {
  return new Date(ms + offsetAt(ms, tz));
}

/** The first instant of calendar day y-m-d in `tz` (local noon is never in a DST gap; its day start is the midnight, or the gap's end). */
export function localDayStart(y: number, m: number, d: number, tz: string): number {
  const noonUtc = Date.UTC(y, m - 1, d, 12);
  return windowStart('day', noonUtc - offsetAt(noonUtc, tz), tz);
}

/** Start of the window `steps` windows before the one containing `ms`. */
function windowsBack(period: QuotaPeriod, ms: number, tz: string, steps: number): number {
  let start = windowStart(period, ms, tz);
  for (let i = 0; i < steps; i++) start = windowStart(period, start - 1, tz);
  return start;
}

function quarterStart(ms: number, tz: string): number {
  const month = windowStart('month', ms, tz);
  return windowsBack('month', month, tz, local(month, tz).getUTCMonth() % 3);
}

function yearStart(ms: number, tz: string): number {
  const month = windowStart('month', ms, tz);
  return windowsBack('month', month, tz, local(month, tz).getUTCMonth());
}

/** [from, to) of a preset at `now` in `tz`. */
export function presetRange(preset: PeriodPreset, now: number, tz: string): { from: number; to: number } {
  const today = windowStart('day', now, tz);
  switch (preset) {
    case 'today': return { from: today, to: now };
    case 'yesterday': return { from: windowsBack('day', today - 1, tz, 0), to: today };
    case 'last_24_hours': return { from: now - 24 * HOUR, to: now };
    case 'last_7_days': return { from: windowsBack('day', today, tz, 7), to: today };
    case 'last_30_days': return { from: windowsBack('day', today, tz, 30), to: today };
    case 'last_90_days': return { from: windowsBack('day', today, tz, 90), to: today };
    case 'week_to_date': return { from: windowStart('week', now, tz), to: now };
    case 'last_week': {
      const week = windowStart('week', now, tz);
      return { from: windowStart('week', week - 1, tz), to: week };
    }
    case 'month_to_date': return { from: windowStart('month', now, tz), to: now };
    case 'last_month': {
      const month = windowStart('month', now, tz);
      return { from: windowStart('month', month - 1, tz), to: month };
    }
    case 'quarter_to_date': return { from: quarterStart(now, tz), to: now };
    case 'last_quarter': {
      const q = quarterStart(now, tz);
      return { from: quarterStart(q - 1, tz), to: q };
    }
    case 'year_to_date': return { from: yearStart(now, tz), to: now };
    case 'last_year': {
      const y = yearStart(now, tz);
      return { from: yearStart(y - 1, tz), to: y };
    }
  }
}

/** `YYYY-MM-DD` → local midnight in `tz`; an RFC 3339 date-time → its instant. */
export function parseBoundary(s: string, tz: string): number {
  const m = DATE_ONLY.exec(s);
  if (m) return localDayStart(Number(m[1]), Number(m[2]), Number(m[3]), tz);
  return Date.parse(s);
}

/** Resolves a definition's period at `now`. Throws a `ReportInputError` when `to` is not after `from`. */
export function resolvePeriod(def: Pick<ReportDefinition, 'period' | 'timezone'>, now: number): ReportPeriod {
  const tz = def.timezone;
  if (typeof def.period === 'string') return { ...presetRange(def.period, now, tz), timezone: tz, preset: def.period };
  const from = parseBoundary(def.period.from, tz);
  const to = parseBoundary(def.period.to, tz);
  if (!(from < to)) throw new ReportInputError('period.to', `${def.period.to} must be after period.from ${def.period.from} in ${tz}`);
  return { from, to, timezone: tz, preset: 'custom' };
}

/** Bucket start of `ms` at a granularity (`none` = the period start). */
export function bucketStart(granularity: 'none' | QuotaPeriod, ms: number, period: ReportPeriod): number {
  return granularity === 'none' ? period.from : windowStart(granularity, ms, period.timezone);
}

/** End (exclusive) of the bucket starting at `start`, capped at the period end. */
export function bucketEnd(granularity: 'none' | QuotaPeriod, start: number, period: ReportPeriod): number {
  return granularity === 'none' ? period.to : Math.min(nextWindowStart(granularity, start, period.timezone), period.to);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 3339 in the zone's local time with its offset (`Z` in UTC); milliseconds only when not zero. */
export function formatInstant(ms: number, tz: string): string {
  const offset = tz === 'UTC' ? 0 : offsetAt(ms, tz);
  const l = new Date(ms + offset);
  const millis = l.getUTCMilliseconds();
  const base = `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())}T${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())}${millis === 0 ? '' : `.${pad(millis, 3)}`}`;
  if (tz === 'UTC') return `${base}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offset / 60_000));
  return `${base}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYY-MM-DD HH:mm` in `tz`, for documents. */
export function formatLocal(ms: number, tz: string): string {
  const l = local(ms, tz);
  return `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}`;
}

/** A bucket's label at its granularity, in `tz` (`2025-03-01`, `2025-03-01 14:00`, `2025-03`). */
export function bucketLabel(granularity: 'none' | QuotaPeriod, start: number, tz: string): string {
  const s = formatLocal(start, tz);
  if (granularity === 'hour') return s;
  if (granularity === 'month') return s.slice(0, 7);
  return s.slice(0, 10);
}

/** "2025-03-01 00:00 to 2025-04-01 00:00 Europe/Berlin (last_month)". */
export function periodLabel(p: ReportPeriod): string {
  return `${formatLocal(p.from, p.timezone)} to ${formatLocal(p.to, p.timezone)} ${p.timezone}${p.preset === 'custom' ? '' : ` (${p.preset})`}`;
}
