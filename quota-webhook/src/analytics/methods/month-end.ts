/**
 * Month-end totals from a daily forecast: month-to-date is exact, only the
 * rest of the month is uncertain. The rest of today is the day's forecast
 * times the share of a day still to come (from the hour-of-day profile),
 * nudged by how today has gone so far; each partial sum of the days ahead
 * is log-normal around its point forecast with the engine's calibrated
 * spread, so intervals shrink to zero at the end of the month.
 *
 * No complete day before today but usage today (a new deployment, a new
 * subject): `today_run_rate`. Today's usage ÷ the clock time since today's usage
 * began (the start of the hour of its first call, at least one hour) is the
 * rate of the rest of today and of every day after, with a wide interval.
 * Since the first call, not since midnight: the hours before it were not part
 * of the subject's life (a deployment at 09:00 read since midnight would be
 * projected at a tenth of its rate at 10:00); from the hour's start and at
 * least an hour, so that a first call seconds ago is not stretched over a day.
 *
 * Budget risk: P(month-to-date + rest > limit), and the crossing day is the
 * first day by whose end that probability reaches one half (cumulative spend
 * never decreases, so P(crossed by day d) = P(MTD + S_d > limit)).
 */
import { dayLogVariances, forecastDaily, partialSumLogVariances, todayRunRateForecast, TAIL_DOF, type DailyForecast, type DailyForecastOptions } from './daily-forecast.js';
import { studentCdf, studentQuantile } from './stats.js';

export interface Interval {
  expected: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface MonthEndInput {
  /** Complete days before today, oldest first. */
  history: readonly number[];
  /** Exact month-to-date, today so far included. */
  monthToDate: number;
  /** Today so far (part of `monthToDate`); 0 at the start of a day. */
  todaySoFar?: number;
  /** Expected share of a day's volume already past today (0 at the start of the day, from the hour-of-day profile). */
  todayElapsedShare?: number;
  /**
   * Share of today's clock time (÷ the day's length) since today's usage began: the run rate's denominator when
   * there is no history (default `todayElapsedShare`).
   */
  todayActiveShare?: number;
  /** Whole days after today until the end of the month (0 on the last day). */
  remainingDays: number;
}

export interface Exceedance {
  /** P(month-end total > limit). */
  probability: number;
  /** Index into `days` (0 = today) of the first day by whose end the limit is crossed with probability ≥ 0.5; null if never this month. */
  crossingDay: number | null;
  /** P(crossed by the end of each day). */
  byDay: number[];
}

export interface MonthEndForecast {
  forecast: DailyForecast;
  /** Today (whole day: so far + the rest) and each remaining day. */
  days: Interval[];
  monthEnd: Interval;
  /** Log-scale standard deviation of the rest of the month (before calibration). */
  restLogSd: number;
  /** Budget risk of the month (or, with `days` and `toDate`, of a window ending `days` days from today with `toDate` used so far). */
  exceedance(limit: number, days?: number, toDate?: number): Exceedance;
  /** Interval of `toDate` (default month-to-date) plus the rest of today and the next `days − 1` days. */
  total(days: number, toDate?: number): Interval;
}

const Z80 = studentQuantile(0.9, TAIL_DOF);
const Z95 = studentQuantile(0.975, TAIL_DOF);

/** Point and 80/95 % interval of base + F·exp(σ(b + s z)), F the point forecast. */
function interval(base: number, point: number, logSd: number, bias: number, scale: number): Interval {
  const q = (z: number): number => base + point * Math.exp(logSd * (bias + scale * z));
  if (point <= 0 || logSd <= 0) return { expected: base + point, lower80: base + point, upper80: base + point, lower95: base + point, upper95: base + point };
  return { expected: base + point, lower80: q(-Z80), upper80: q(Z80), lower95: q(-Z95), upper95: q(Z95) };
}

/** P(base + F·exp(σ(b + s Z)) > limit). */
function exceedProbability(base: number, point: number, logSd: number, bias: number, scale: number, limit: number): number {
  const room = limit - base;
  if (room < 0) return 1;
  if (point <= 0) return 0;
  if (logSd <= 0) return point > room ? 1 : 0;
  if (room === 0) return 1;
  const z = (Math.log(room / point) / logSd - bias) / scale;
  return 1 - studentCdf(z, TAIL_DOF);
}

/** Forecasts the month end from the days before today, month-to-date and today so far. */
export function forecastMonthEnd(input: MonthEndInput, options: DailyForecastOptions = {}): MonthEndForecast {
  const today = input.todaySoFar ?? 0;
  const share = Math.min(Math.max(input.todayElapsedShare ?? 0, 0), 1);
  const horizon = 1 + Math.max(0, input.remainingDays);
  const active = Math.min(Math.max(input.todayActiveShare ?? share, 0), 1);
  let forecast = forecastDaily(input.history, horizon, options);
  // Nothing before today but usage today: today's rate so far, not zero.
  const runRate = forecast.method === 'none' && today > 0 && active > 0;
  if (runRate) forecast = todayRunRateForecast(today / active, horizon);
  const { spread } = forecast;
  // Rest of today: the day's forecast × share to come, scaled by how today compares so far (shrunk to 1 by half a
  // day's weight); the run rate is today's own pace already.
  const day0 = forecast.expected[0] ?? 0;
  const prior = 0.5 * day0;
  const pace = !runRate && share > 0 && day0 > 0 ? Math.min(5, (today + prior) / (share * day0 + prior)) : 1;
  const amounts = forecast.expected.slice(0, horizon);
  amounts[0] = day0 * (1 - share) * pace;
  const sumVar = partialSumLogVariances(amounts, spread);
  const dayVar = dayLogVariances(horizon, spread);
  const days: Interval[] = amounts.map((a, h) => interval(h === 0 ? today : 0, a, Math.sqrt(dayVar[h]! * (h === 0 ? 1 - share : 1)), spread.bias, spread.scale));
  let rest = 0;
  const cumulative: number[] = [];
  for (const a of amounts) {
    rest += a;
    cumulative.push(rest);
  }
  const mtd = input.monthToDate;
  const total = (k: number, toDate = mtd): Interval => {
    const n = Math.min(Math.max(k, 0), horizon);
    return n === 0 ? interval(toDate, 0, 0, 0, 1) : interval(toDate, cumulative[n - 1]!, Math.sqrt(sumVar[n - 1]!), spread.bias, spread.scale);
  };
  return {
    forecast,
    days,
    monthEnd: total(horizon),
    restLogSd: Math.sqrt(sumVar[horizon - 1]!),
    total,
    exceedance(limit: number, k = horizon, toDate = mtd): Exceedance {
      const n = Math.min(Math.max(k, 1), horizon);
      const byDay = cumulative.slice(0, n).map((c, i) => exceedProbability(toDate, c, Math.sqrt(sumVar[i]!), spread.bias, spread.scale, limit));
      // Monotone by construction in exact arithmetic; enforce it against rounding.
      for (let i = 1; i < byDay.length; i++) byDay[i] = Math.max(byDay[i]!, byDay[i - 1]!);
      const first = byDay.findIndex((p) => p >= 0.5);
      return { probability: byDay[byDay.length - 1]!, crossingDay: first < 0 ? null : first, byDay };
    },
  };
}
