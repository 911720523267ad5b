/**
 * `GET /analytics/seasonality`: which cycles the subject's usage has — the
 * daily cycle in hourly data (the last 8 weeks, by local hour), the weekly
 * cycle in daily data (the last 16 weeks, by weekday from Monday) — with
 * their strength, significance and profile (methods/seasonality.ts). Fewer
 * than three full cycles since the first usage: said plainly.
 */
import type { ControlPlane } from '../control-plane.js';
import { detectSeasonality, type Seasonality } from './methods/seasonality.js';
import { DAY_MS, echo, type AnalyticsRequest, type SeriesMetric } from './context.js';
import { localSeries } from './series.js';
import { bucketStart, localDate, localTime } from './time-buckets.js';
import { valueOf } from './context.js';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const HOURLY_DAYS = 56;
const DAILY_DAYS = 112;

function view(s: Seasonality, name: string, unit: string, from: string | null, label: (k: number) => Record<string, unknown>): Record<string, unknown> {
  const base = { name, period: s.period, bucket: unit, cycles: s.cycles, history_from: from };
  if (!s.enoughHistory) {
    return { ...base, enough_history: false, present: null, message: `not enough history: ${s.cycles} full ${name} cycle${s.cycles === 1 ? '' : 's'}, at least 3 are needed` };
  }
  return {
    ...base, enough_history: true, present: s.present, strength: Math.round(s.strength * 1000) / 1000, p_value: Number(s.pValue.toPrecision(3)),
    profile: s.profile.map((f, k) => ({ ...label(k), factor: Math.round(f * 1000) / 1000 })),
  };
}

export async function seasonalityAnswer(cp: ControlPlane, req: AnalyticsRequest, metric: SeriesMetric): Promise<Record<string, unknown>> {
  const { target, tz, asOf } = req;
  const todayStart = bucketStart(asOf, 'day', tz);
  // Complete buckets only: today's partial day (and hour) would read as a drop.
  const [hourly, daily] = await Promise.all([
    localSeries(cp, { scope: target.scope, subject: target.subject, from: bucketStart(todayStart - HOURLY_DAYS * DAY_MS, 'day', tz), to: todayStart, tz, granularity: 'hour', measures: metric }),
    localSeries(cp, { scope: target.scope, subject: target.subject, from: bucketStart(todayStart - DAILY_DAYS * DAY_MS, 'day', tz), to: todayStart, tz, granularity: 'day', measures: metric }),
  ]);
  // History starts at the first bucket with usage.
  const trim = (series: typeof hourly): { starts: number[]; values: number[] } => {
    const list = series.bySubject.get(target.subject) ?? [];
    const values = series.starts.map((_, i) => (list[i] ? valueOf(list[i]!, metric) : 0));
    const first = values.findIndex((v) => v > 0);
    return first < 0 ? { starts: [], values: [] } : { starts: series.starts.slice(first), values: values.slice(first) };
  };
  const h = trim(hourly);
  const d = trim(daily);
  // Start the hourly history at a local midnight and the daily one on a Monday, so cycles are whole.
  const hStart = h.starts.findIndex((s) => localTime(s, tz).hour === 0);
  const hStarts = hStart < 0 ? [] : h.starts.slice(hStart);
  const hValues = hStart < 0 ? [] : h.values.slice(hStart);
  const dStart = d.starts.findIndex((s) => localTime(s, tz).weekday === 0);
  const dStarts = dStart < 0 ? [] : d.starts.slice(dStart);
  const dValues = dStart < 0 ? [] : d.values.slice(dStart);
  const daily24 = detectSeasonality(hValues, 24, { phases: hStarts.map((s) => localTime(s, tz).hour) });
  const weekly7 = detectSeasonality(dValues, 7, { phases: dStarts.map((s) => localTime(s, tz).weekday) });
  const periods = [
    view(daily24, 'daily', 'hour', hStarts.length > 0 ? localDate(hStarts[0]!, tz) : null, (k) => ({ hour: k })),
    view(weekly7, 'weekly', 'day', dStarts.length > 0 ? localDate(dStarts[0]!, tz) : null, (k) => ({ weekday: WEEKDAYS[k] })),
  ];
  const present = periods.filter((p) => p.present === true).map((p) => p.name);
  return { ...echo(req), metric, periods, present };
}
