/**
 * `GET /analytics/forecast`: the subject's daily usage (up to 53 weeks
 * before today, in the request's zone, from its first day with usage) goes
 * through the forecast engine (methods/daily-forecast.ts: back-tested choice
 * of method, calibrated intervals). Month-to-date is exact; the rest of
 * today is the day's forecast times the share of a day still to come (the
 * hour-of-day profile of the last four weeks). With no complete day before
 * today but usage today, the run rate since today's first call (`today_run_rate`,
 * methods/month-end.ts). Every quota and budget of the metric that applies
 * gets its probability of being exceeded this period and the expected
 * crossing date.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { forecastMonthEnd, type Interval, type MonthEndForecast } from './methods/month-end.js';
import { MEMBERS, SCALE_INFLATION, TAIL_DOF, type ForecastMethod } from './methods/daily-forecast.js';
import { MAD_TO_SIGMA, mad, median, studentCdf, studentQuantile } from './methods/stats.js';
import { amount, amounts, DAY_MS, echo, exactOf, HOUR_MS, timeIn, valueOf, type AnalyticsRequest, type ForecastMetric } from './context.js';
import { applicableLimits, limitStatuses, limitView, type LimitStatus } from './limits.js';
import { addUsage, groupedSeries, localSeries, sumUsage, type LocalSeries, type Usage } from './series.js';
import { bucketStart, bucketStarts, localDate, localTime, monthSpan, nextBucketStart, type MonthSpan } from './time-buckets.js';

/** Days of history the forecast reads (53 weeks). */
export const HISTORY_DAYS = 371;
/** Days of hourly history behind the hour-of-day profile. */
const PROFILE_DAYS = 28;
export const MAX_HORIZON_DAYS = 92;

/** Everything a forecast of one subject, metric and zone reads from the ledger. */
export interface DailyData {
  req: AnalyticsRequest;
  metric: ForecastMetric;
  todayStart: number;
  month: MonthSpan;
  /** Complete days before today from the first day with usage (at most 371), oldest first, in the metric's unit. */
  history: number[];
  historyFrom: number | null;
  todaySoFar: number;
  todayExact: bigint;
  monthToDate: number;
  monthToDateExact: bigint;
  /** Every measure of today and of the month so far (exact). */
  todayUsage: Usage;
  monthUsage: Usage;
  /** Share of a day's volume by local hour (sums to 1). */
  hourShares: number[];
  /** Log-scale noise of an hour around its share of the day. */
  hourNoise: number;
  /** Expected share of today's volume already past. */
  todayElapsedShare: number;
  /** Share of today's clock time since the start of the hour of today's first usage, at least an hour (0 without usage today). */
  todayActiveShare: number;
  hourly: LocalSeries;
}

/** `allMeasures`: also every other measure of today and the month (the summary); otherwise only the metric's sums are read. */
export async function loadDailyData(cp: ControlPlane, req: AnalyticsRequest, metric: ForecastMetric, allMeasures = false): Promise<DailyData> {
  const { tz, asOf, target } = req;
  const todayStart = bucketStart(asOf, 'day', tz);
  const month = monthSpan(asOf, tz);
  const historyFrom = bucketStart(todayStart - HISTORY_DAYS * DAY_MS, 'day', tz);
  const profileFrom = bucketStart(todayStart - PROFILE_DAYS * DAY_MS, 'day', tz);
  const measures = allMeasures ? 'all' : metric;
  const [daily, hourly, monthBefore] = await Promise.all([
    localSeries(cp, { scope: target.scope, subject: target.subject, from: historyFrom, to: todayStart, tz, granularity: 'day', measures: metric }),
    localSeries(cp, { scope: target.scope, subject: target.subject, from: profileFrom, to: asOf, tz, granularity: 'hour', measures }),
    // Every measure of the month before today, in one bucket (only the summary needs them all).
    allMeasures ? localSeries(cp, { scope: target.scope, subject: target.subject, from: month.start, to: todayStart, tz, granularity: 'month', measures }) : undefined,
  ]);
  const days = daily.bySubject.get(target.subject) ?? [];
  const values = daily.starts.map((_, i) => (days[i] ? valueOf(days[i]!, metric) : 0));
  const first = values.findIndex((v) => v > 0);
  const history = first < 0 ? [] : values.slice(first);
  const hours = hourly.bySubject.get(target.subject) ?? [];
  const hourValues = hourly.starts.map((_, i) => (hours[i] ? valueOf(hours[i]!, metric) : 0));
  const todayIndex = hourly.starts.findIndex((s) => s >= todayStart);
  const todayUsage = todayIndex < 0 ? sumUsage([]) : sumUsage(hours, todayIndex);
  const monthUsage = sumUsage([todayUsage]);
  if (monthBefore) addUsage(monthUsage, sumUsage(monthBefore.bySubject.get(target.subject) ?? []));
  else {
    daily.starts.forEach((s, i) => {
      if (s >= month.start && days[i]) addUsage(monthUsage, days[i]!);
    });
  }
  const { shares, noise } = hourProfile(hourly, hourValues, todayStart, tz);
  return {
    req, metric, todayStart, month, history, historyFrom: first < 0 ? null : daily.starts[first]!,
    todaySoFar: valueOf(todayUsage, metric), todayExact: exactOf(todayUsage, metric), todayUsage, monthUsage,
    monthToDate: valueOf(monthUsage, metric), monthToDateExact: exactOf(monthUsage, metric),
    hourShares: shares, hourNoise: noise, todayElapsedShare: elapsedShare(todayStart, asOf, tz, shares), hourly,
    todayActiveShare: activeShare(hourly, hourValues, todayStart, asOf, tz),
  };
}

/** Share of a day's volume by local hour over the complete days of the hourly series, and the hours' log-scale noise around it. */
function hourProfile(hourly: LocalSeries, values: readonly number[], todayStart: number, tz: string): { shares: number[]; noise: number } {
  const sums = new Array<number>(24).fill(0);
  const byDay = new Map<string, Array<{ hour: number; v: number }>>();
  hourly.starts.forEach((s, i) => {
    if (s >= todayStart) return;
    const t = localTime(s, tz);
    sums[t.hour]! += values[i]!;
    const key = `${t.year}-${t.month}-${t.day}`;
    let list = byDay.get(key);
    if (!list) byDay.set(key, (list = []));
    list.push({ hour: t.hour, v: values[i]! });
  });
  const total = sums.reduce((a, b) => a + b, 0);
  const shares = total > 0 ? sums.map((v) => v / total) : new Array<number>(24).fill(1 / 24);
  const positive = values.filter((v) => v > 0);
  const c = positive.length > 0 ? 0.05 * median(positive) : 0;
  const ratios: number[] = [];
  for (const list of byDay.values()) {
    const dayTotal = list.reduce((a, x) => a + x.v, 0);
    if (dayTotal <= 0) continue;
    for (const { hour, v } of list) ratios.push(Math.log((v + c) / (shares[hour]! * dayTotal + c)));
  }
  return { shares, noise: ratios.length >= 24 ? MAD_TO_SIGMA * mad(ratios) : 0.5 };
}

/** The expected share of today's volume before `asOf` (today's hour buckets weighted by the profile, DST days included). */
function elapsedShare(todayStart: number, asOf: number, tz: string, shares: readonly number[]): number {
  const end = nextBucketStart(todayStart, 'day', tz);
  const hours = bucketStarts(todayStart, end, 'hour', tz);
  let past = 0;
  let all = 0;
  for (let i = 0; i < hours.length; i++) {
    const s = hours[i]!;
    const e = hours[i + 1] ?? end;
    const w = shares[localTime(s, tz).hour]!;
    all += w;
    if (e <= asOf) past += w;
    else if (s < asOf) past += (w * (asOf - s)) / (e - s);
  }
  return all > 0 ? Math.min(1, past / all) : 0;
}

/** Share of today's clock time since the start of the hour of its first usage (at least an hour; 0 without usage today). */
function activeShare(hourly: LocalSeries, values: readonly number[], todayStart: number, asOf: number, tz: string): number {
  const first = hourly.starts.findIndex((s, i) => s >= todayStart && values[i]! > 0);
  if (first < 0) return 0;
  const dayLength = nextBucketStart(todayStart, 'day', tz) - todayStart;
  return Math.min(1, Math.max(asOf - hourly.starts[first]!, HOUR_MS) / dayLength);
}

/** Starts of `n` local days from today's. */
export function dayStarts(todayStart: number, n: number, tz: string): number[] {
  const out = [todayStart];
  while (out.length < n) out.push(nextBucketStart(out[out.length - 1]!, 'day', tz));
  return out;
}

/** The forecast of the month (and at least `days` days from today). */
export function forecastFrom(data: DailyData, days = 1): MonthEndForecast {
  const restOfMonth = data.month.days.length - 1 - data.month.today;
  return forecastMonthEnd({
    history: data.history, monthToDate: data.monthToDate, todaySoFar: data.todaySoFar, todayElapsedShare: data.todayElapsedShare,
    todayActiveShare: data.todayActiveShare, remainingDays: Math.max(restOfMonth, days - 1),
  });
}

const Z80 = studentQuantile(0.9, TAIL_DOF);
const Z95 = studentQuantile(0.975, TAIL_DOF);

/** A lognormal-ish interval of `base + point·exp(sd·t)` (hour-level points and hourly windows). */
function hourInterval(base: number, point: number, sd: number): Interval {
  const q = (z: number): number => base + point * Math.exp(sd * z);
  if (point <= 0 || sd <= 0) return { expected: base + point, lower80: base + point, upper80: base + point, lower95: base + point, upper95: base + point };
  return { expected: base + point, lower80: q(-Z80), upper80: q(Z80), lower95: q(-Z95), upper95: q(Z95) };
}

function intervalView(metric: ForecastMetric, i: Interval): Record<string, string | number> {
  return amounts(metric, { expected: i.expected, lower_80: i.lower80, upper_80: i.upper80, lower_95: i.lower95, upper_95: i.upper95 });
}

/** Hour points from the current hour to the end of the horizon: each remaining day's forecast spread over its hours by the profile. */
function hourPoints(data: DailyData, fc: MonthEndForecast, days: number): Array<Record<string, unknown>> {
  const { tz, asOf } = data.req;
  const starts = dayStarts(data.todayStart, days + 1, tz);
  const out: Array<Record<string, unknown>> = [];
  const hoursSeries = data.hourly.bySubject.get(data.req.target.subject) ?? [];
  for (let d = 0; d < days; d++) {
    const dayHours = bucketStarts(starts[d]!, starts[d + 1]!, 'hour', tz);
    const weights = dayHours.map((s) => data.hourShares[localTime(s, tz).hour]!);
    const ends = dayHours.map((s, i) => dayHours[i + 1] ?? starts[d + 1]!);
    // The part of the day still to come, by weight.
    const remaining = dayHours.map((s, i) => (ends[i]! <= asOf ? 0 : s >= asOf ? weights[i]! : (weights[i]! * (ends[i]! - asOf)) / (ends[i]! - s)));
    const remainingWeight = remaining.reduce((a, b) => a + b, 0);
    const base = d === 0 ? data.todaySoFar : 0;
    const dayRest = fc.days[d]!.expected - base;
    // The day's own (calibrated) log spread, read back from its 80 % bound, plus an hour's noise around its share of the day.
    const daySd = dayRest > 0 ? Math.log(Math.max(fc.days[d]!.upper80 - base, dayRest) / dayRest) / Z80 : 0;
    const hourSd = data.hourNoise * SCALE_INFLATION;
    const sd = Math.sqrt(daySd * daySd + hourSd * hourSd);
    dayHours.forEach((s, i) => {
      if (ends[i]! <= asOf) return;
      const soFar = s < asOf ? valueOf(hoursSeries[data.hourly.starts.indexOf(s)] ?? sumUsage([]), data.metric) : 0;
      const point = remainingWeight > 0 ? (dayRest * remaining[i]!) / remainingWeight : 0;
      out.push({ time: timeIn(s, tz), ...intervalView(data.metric, hourInterval(soFar, point, sd)) });
    });
  }
  return out;
}

export interface LimitForecast {
  probability: number;
  expectedCrossing: string | null;
  windowEnd: Interval;
}

/** P(exceeded this period) and the expected crossing date of one limit, from the forecast in its zone. */
export function limitForecast(status: LimitStatus, data: DailyData, fc: MonthEndForecast, orgShare = 1): LimitForecast {
  const q = status.quota;
  const tz = q.timezone;
  const toDate = status.usage;
  const limit = status.limit;
  if (status.crossedAt !== null) {
    const crossedOn = q.period === 'hour' ? timeIn(status.crossedAt, tz) : localDate(status.crossedAt, tz);
    return { probability: 1, expectedCrossing: crossedOn, windowEnd: windowInterval(status, data, fc, orgShare) };
  }
  if (q.period === 'hour') {
    const rest = restOfHour(data, fc) * orgShare;
    const sd = data.hourNoise * SCALE_INFLATION;
    const room = limit - toDate;
    const p = rest <= 0 ? 0 : sd <= 0 ? (rest > room ? 1 : 0) : 1 - studentCdf(Math.log(room / rest) / sd, TAIL_DOF);
    return { probability: p, expectedCrossing: p >= 0.5 ? localDate(data.req.asOf, tz) : null, windowEnd: hourInterval(toDate, rest, sd) };
  }
  const k = daysUntil(data, status.windowEnd);
  // With an org restriction the quota sees `orgShare` of the subject's usage: P(toDate + share·S > L) = P(toDate/share + S > L/share).
  const ex = fc.exceedance(limit / orgShare, k, toDate / orgShare);
  const crossing = ex.crossingDay === null ? null : localDate(dayStarts(data.todayStart, ex.crossingDay + 1, data.req.tz)[ex.crossingDay]!, tz);
  return { probability: ex.probability, expectedCrossing: crossing, windowEnd: windowInterval(status, data, fc, orgShare) };
}

function windowInterval(status: LimitStatus, data: DailyData, fc: MonthEndForecast, orgShare: number): Interval {
  if (status.quota.period === 'hour') {
    const rest = restOfHour(data, fc) * orgShare;
    return hourInterval(status.usage, rest, data.hourNoise * SCALE_INFLATION);
  }
  const t = fc.total(daysUntil(data, status.windowEnd), 0);
  const s = (x: number): number => status.usage + orgShare * x;
  return { expected: s(t.expected), lower80: s(t.lower80), upper80: s(t.upper80), lower95: s(t.lower95), upper95: s(t.upper95) };
}

/** Local days from today (included) that start before `end`. */
function daysUntil(data: DailyData, end: number): number {
  let k = 0;
  let s = data.todayStart;
  while (s < end && k <= MAX_HORIZON_DAYS + 31) {
    k++;
    s = nextBucketStart(s, 'day', data.req.tz);
  }
  return k;
}

/** The expected rest of the current hour: today's expected rest spread by the hour profile. */
function restOfHour(data: DailyData, fc: MonthEndForecast): number {
  const { asOf, tz } = data.req;
  const hourStart = bucketStart(asOf, 'hour', tz);
  const hourEnd = nextBucketStart(asOf, 'hour', tz);
  const share = data.hourShares[localTime(hourStart, tz).hour]! * ((hourEnd - asOf) / (hourEnd - hourStart));
  const left = 1 - data.todayElapsedShare;
  const rest = fc.days[0]!.expected - data.todaySoFar;
  return left > 0 ? (rest * share) / left : 0;
}

/** The share of a subject's usage an org-restricted limit counts (last four weeks). */
async function orgShares(cp: ControlPlane, data: DailyData, statuses: readonly LimitStatus[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const restricted = statuses.filter((s) => s.quota.org !== undefined && s.target.scope !== 'org');
  if (restricted.length === 0) return out;
  const from = bucketStart(data.todayStart - PROFILE_DAYS * DAY_MS, 'day', data.req.tz);
  for (const s of restricted) {
    const g = await groupedSeries(cp, { target: s.target, groupBy: 'org', from, to: data.req.asOf, tz: data.req.tz, granularity: 'month' });
    let all = 0;
    let mine = 0;
    for (const [org, list] of g.bySubject) {
      const v = list.reduce((a, u) => a + valueOf(u, s.quota.metric), 0);
      all += v;
      if (org === s.quota.org) mine += v;
    }
    out.set(s.quota.id, all > 0 ? mine / all : 0);
  }
  return out;
}

export interface ForecastQuery {
  metric: ForecastMetric;
  /** Points per day for this many days from today; `month_end` = through the last day of the month. */
  horizon: 'month_end' | number;
}

/** The forecast of every applicable limit, reusing the request zone's data when the limit's zone is the same. */
export async function limitsWithForecast(cp: ControlPlane, req: AnalyticsRequest, metric: ForecastMetric, data: DailyData, fc: MonthEndForecast, parents = false): Promise<Array<Record<string, unknown>>> {
  const statuses = await limitStatuses(cp, req, applicableLimits(cp, req.target, { metric, parents }));
  const shares = await orgShares(cp, data, statuses);
  const byZone = new Map<string, Promise<{ data: DailyData; fc: MonthEndForecast }>>([[`${req.tz}\u0000${req.target.scope}\u0000${req.target.subject}`, Promise.resolve({ data, fc })]]);
  const out: Array<Record<string, unknown>> = [];
  for (const s of statuses) {
    const key = `${s.quota.timezone}\u0000${s.target.scope}\u0000${s.target.subject}`;
    let zone = byZone.get(key);
    if (!zone) {
      zone = loadDailyData(cp, { ...req, tz: s.quota.timezone, target: s.target }, metric).then((d) => ({ data: d, fc: forecastFrom(d, 1) }));
      byZone.set(key, zone);
    }
    const z = await zone;
    const f = limitForecast(s, z.data, z.fc, shares.get(s.quota.id) ?? 1);
    out.push({
      ...limitView(s),
      expected_at_window_end: intervalView(metric, f.windowEnd),
      probability_exceeded: Math.round(f.probability * 10_000) / 10_000,
      expected_crossing: f.expectedCrossing,
    });
  }
  return out;
}

/** The `GET /analytics/forecast` answer. */
export async function forecastAnswer(cp: ControlPlane, req: AnalyticsRequest, q: ForecastQuery): Promise<Record<string, unknown>> {
  const data = await loadDailyData(cp, req, q.metric);
  // Days from today (included) to the month's last day: the month end, whatever the horizon (a longer one must not move it).
  const toMonthEnd = data.month.days.length - data.month.today;
  const horizonDays = q.horizon === 'month_end' ? toMonthEnd : q.horizon;
  const fc = forecastFrom(data, horizonDays);
  const { tz } = req;
  const starts = dayStarts(data.todayStart, horizonDays, tz);
  // Cumulative since the start of the month (the last point of a month_end horizon is `month_end`), and each day's own amount.
  const points = starts.map((s, i) => ({ time: timeIn(s, tz), ...intervalView(q.metric, fc.total(i + 1)) }));
  const daily = starts.map((s, i) => ({ time: timeIn(s, tz), ...intervalView(q.metric, fc.days[i]!) }));
  const method = fc.forecast.method;
  return {
    ...echo(req),
    metric: q.metric,
    horizon: q.horizon === 'month_end' ? 'month_end' : `${q.horizon}d`,
    method,
    method_detail: METHOD_TEXT[method],
    history: await monthHistory(cp, req, data, q.metric),
    history_seen: {
      days: data.history.length,
      from: data.historyFrom === null ? null : localDate(data.historyFrom, tz),
      ...(fc.forecast.backtest ? { backtest_error: Object.fromEntries(Object.entries(fc.forecast.backtest).map(([k, v]) => [k, Math.round(v * 10_000) / 10_000])) } : {}),
      ...(fc.forecast.weights ? { weights: Object.fromEntries(MEMBERS.map((k, i) => [k, Math.round(fc.forecast.weights![i]! * 1000) / 1000])) } : {}),
    },
    month: { start: timeIn(data.month.start, tz), end: timeIn(data.month.end, tz), days: data.month.days.length, day: data.month.today + 1 },
    ...amount(q.metric, 'month_to_date', data.monthToDate, q.metric === 'cost' ? data.monthToDateExact : undefined),
    ...amount(q.metric, 'today_so_far', data.todaySoFar, q.metric === 'cost' ? data.todayExact : undefined),
    month_end: intervalView(q.metric, fc.total(toMonthEnd)),
    points,
    daily,
    ...(horizonDays <= 2 ? { hourly_points: hourPoints(data, fc, horizonDays) } : {}),
    budgets: await limitsWithForecast(cp, req, q.metric, data, fc),
  };
}

/** The month so far: cumulative usage at the end of each past day of the month, and today so far (exact); empty without usage. */
async function monthHistory(cp: ControlPlane, req: AnalyticsRequest, data: DailyData, metric: ForecastMetric): Promise<Array<Record<string, unknown>>> {
  const { tz, target } = req;
  // No usage in the month so far: nothing to draw.
  if (data.monthToDateExact === 0n) return [];
  const series = await localSeries(cp, { scope: target.scope, subject: target.subject, from: data.month.start, to: data.todayStart, tz, granularity: 'day', measures: metric });
  const list = series.bySubject.get(target.subject) ?? [];
  let acc = 0n;
  const out = series.starts.map((s, i) => {
    acc += list[i] ? exactOf(list[i]!, metric) : 0n;
    return { time: timeIn(s, tz), ...cumulative(metric, acc) };
  });
  out.push({ time: timeIn(data.todayStart, tz), ...cumulative(metric, acc + data.todayExact) });
  return out;
}

function cumulative(metric: ForecastMetric, v: bigint): Record<string, string | number> {
  return metric === 'cost' ? { actual_usd: formatUsd(v) } : { actual: Number(v) };
}

/** What each method is, in the answer (the history it saw is next to it). */
export const METHOD_TEXT: Record<ForecastMethod, string> = {
  none: 'no usage before as_of: the forecast is zero',
  today_run_rate: 'no complete day of usage yet: today\'s usage per hour since the start of the hour of its first call (at least one hour), continued to the end of the horizon; wide intervals (the day\'s hour profile is unknown)',
  mean: 'under a week of history: the mean of the days seen',
  weekday_mean: 'under 15 days of history: the mean of the same weekday over the weeks seen',
  seasonal_naive: 'the same weekday a week before',
  ets: 'damped additive Holt-Winters on log usage, outliers clipped',
  combination: 'the mean of damped Holt-Winters and the weekday mean',
  ensemble: 'under 5 weeks of history (no back-test yet): the mean of damped Holt-Winters, the weekday mean and seasonal naive on the history with outliers clipped',
  weighted: 'damped Holt-Winters, the weekday mean of 4 weeks and seasonal naive (outliers clipped), weighted by their rolling-origin back-test errors on this subject (the weights are in history_seen.weights)',
};
