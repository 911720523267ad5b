import { describe, expect, it } from 'vitest';
import { forecastDaily } from '../../../src/analytics/methods/daily-forecast.js';
import { forecastMonthEnd } from '../../../src/analytics/methods/month-end.js';
import { Random } from '../../../src/analytics/methods/stats.js';

const week = [100, 120, 110, 130, 90, 30, 20];
const periodic = (days: number): number[] => Array.from({ length: days }, (_, t) => week[t % 7]!);

describe('daily forecast: fallbacks said plainly', () => {
  it('no history → none, zeros; all-zero history → zeros', () => {
    const none = forecastDaily([], 5);
    expect(none.method).toBe('none');
    expect(none.expected).toEqual([0, 0, 0, 0, 0]);
    expect(forecastDaily([0, 0, 0, 0, 0, 0, 0, 0], 3).expected).toEqual([0, 0, 0]);
  });

  it('under a week → mean of the days seen; under 15 days → weekday mean', () => {
    const short = forecastDaily([10, 20, 30], 4);
    expect(short.method).toBe('mean');
    expect(short.expected).toEqual([20, 20, 20, 20]);
    const twoWeeks = forecastDaily(periodic(10), 7);
    expect(twoWeeks.method).toBe('weekday_mean');
    expect(twoWeeks.expected).toEqual([130, 90, 30, 20, 100, 120, 110]);
    expect(twoWeeks.historyDays).toBe(10);
  });

  it('under five weeks: the members with equal weights; from five weeks: weights from the back-test', () => {
    expect(forecastDaily(periodic(30), 7).method).toBe('ensemble');
    const f = forecastDaily(periodic(70), 14);
    expect(f.method).toBe('weighted');
    expect(f.backtest).toBeDefined();
    expect(f.weights!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // A member that the back-test found worse weighs less: on a series that doubled three weeks ago, the
    // 4-week weekday mean lags and weighs least.
    const stepped = periodic(70).map((v, t) => (t >= 49 ? 2 * v : v));
    const g = forecastDaily(stepped, 7);
    expect(g.weights![1]).toBeLessThan(Math.min(g.weights![0]!, g.weights![2]!));
    // An exactly periodic history is forecast exactly by every candidate.
    f.expected.forEach((v, h) => expect(v).toBeCloseTo(week[(70 + h) % 7]!, 3));
  });
});

describe('month end', () => {
  it('month-to-date is exact and the rest of an exactly periodic month is known', () => {
    // 70 days of history, today is day 71 (index 70), 10 more days after today; at the start of today.
    const fc = forecastMonthEnd({ history: periodic(70), monthToDate: 1000, remainingDays: 10 });
    const rest = Array.from({ length: 11 }, (_, h) => week[(70 + h) % 7]!).reduce((a, b) => a + b, 0);
    expect(fc.monthEnd.expected).toBeCloseTo(1000 + rest, 2);
    expect(fc.monthEnd.upper95 - fc.monthEnd.lower95).toBeLessThan(0.01 * rest);
    expect(fc.days).toHaveLength(11);
  });

  it('intervals shrink to zero at the end of the month', () => {
    const rng = new Random(3);
    const history = periodic(120).map((v) => v * Math.exp(0.2 * rng.normal()));
    const widths = [20, 10, 3, 0].map((remainingDays) => {
      const me = forecastMonthEnd({ history, monthToDate: 2000, remainingDays, todaySoFar: 50, todayElapsedShare: 0.5 }).monthEnd;
      expect(me.lower95).toBeLessThanOrEqual(me.lower80);
      expect(me.lower80).toBeLessThanOrEqual(me.expected);
      expect(me.expected).toBeLessThanOrEqual(me.upper80);
      expect(me.upper80).toBeLessThanOrEqual(me.upper95);
      expect(me.lower95).toBeGreaterThanOrEqual(2000);
      return me.upper95 - me.lower95;
    });
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(widths[1]).toBeGreaterThan(widths[2]!);
    expect(widths[2]).toBeGreaterThan(widths[3]!);
    // Last day, all of it past: nothing left to forecast.
    const done = forecastMonthEnd({ history, monthToDate: 2000, remainingDays: 0, todaySoFar: 80, todayElapsedShare: 1 }).monthEnd;
    expect(done).toEqual({ expected: 2000, lower80: 2000, upper80: 2000, lower95: 2000, upper95: 2000 });
  });

  it('the rest of today follows how today has gone so far', () => {
    const history = periodic(70);
    const slow = forecastMonthEnd({ history, monthToDate: 1000, remainingDays: 0, todaySoFar: 10, todayElapsedShare: 0.5 });
    const usual = forecastMonthEnd({ history, monthToDate: 1000, remainingDays: 0, todaySoFar: 50, todayElapsedShare: 0.5 });
    const fast = forecastMonthEnd({ history, monthToDate: 1000, remainingDays: 0, todaySoFar: 200, todayElapsedShare: 0.5 });
    // Today (index 70) is a Monday-like 100 day: half of it to come at the usual pace.
    expect(usual.monthEnd.expected).toBeCloseTo(1050, 1);
    expect(slow.monthEnd.expected).toBeLessThan(usual.monthEnd.expected);
    expect(fast.monthEnd.expected).toBeGreaterThan(usual.monthEnd.expected);
    expect(fast.days[0]!.expected).toBeCloseTo(200 + (fast.monthEnd.expected - 1000), 6);
  });

  it('no complete day but usage today: the run rate since today\'s usage began, to the month end, with a wide interval', () => {
    // 2 so far, in the 3 hours since the start of the first call's hour (1/8 of the day); half the day past; 10 days after today.
    const fc = forecastMonthEnd({ history: [], monthToDate: 2, todaySoFar: 2, todayElapsedShare: 0.5, todayActiveShare: 0.125, remainingDays: 10 });
    expect(fc.forecast.method).toBe('today_run_rate');
    expect(fc.forecast.historyDays).toBe(0);
    // 16 a day: 8 for the rest of today (not nudged by a pace: the rate is today's own), 160 for the 10 days after.
    expect(fc.days[0]!.expected).toBeCloseTo(2 + 8, 9);
    expect(fc.days[1]!.expected).toBeCloseTo(16, 9);
    const me = fc.monthEnd;
    expect(me.expected).toBeCloseTo(2 + 8 + 160, 9);
    expect(me.lower95).toBeLessThan(me.lower80);
    expect(me.lower80).toBeLessThan(me.expected);
    expect(me.expected).toBeLessThan(me.upper80);
    expect(me.upper80).toBeLessThan(me.upper95);
    // Month-to-date is spent: even the 95 % lower bound keeps it. The rest is known to about a factor of 3 at 80 %.
    expect(me.lower95).toBeGreaterThan(2);
    const rest = me.expected - 2;
    expect((me.upper80 - 2) / rest).toBeGreaterThan(2.5);
    expect((me.upper80 - 2) / rest).toBeLessThan(4);
    expect(rest / (me.lower80 - 2)).toBeGreaterThan(2.5);
    expect(rest / (me.lower80 - 2)).toBeLessThan(4);
    // Budget risk reads the same spread: a limit at the expectation is a coin toss.
    expect(fc.exceedance(me.expected).probability).toBeCloseTo(0.5, 6);
    expect(fc.exceedance(2 + rest / 10).probability).toBeGreaterThan(0.9);
    // Without the active share, the elapsed share of the day stands in (the rate since midnight).
    expect(forecastMonthEnd({ history: [], monthToDate: 2, todaySoFar: 2, todayElapsedShare: 0.5, remainingDays: 0 }).monthEnd.expected).toBeCloseTo(4, 9);
  });

  it('no usage at all: still none, zero; a history of days keeps its own method', () => {
    const none = forecastMonthEnd({ history: [], monthToDate: 0, todaySoFar: 0, todayElapsedShare: 0.5, todayActiveShare: 0, remainingDays: 10 });
    expect(none.forecast.method).toBe('none');
    expect(none.monthEnd).toEqual({ expected: 0, lower80: 0, upper80: 0, lower95: 0, upper95: 0 });
    expect(forecastMonthEnd({ history: [10, 20, 30], monthToDate: 70, todaySoFar: 10, todayElapsedShare: 0.5, todayActiveShare: 0.1, remainingDays: 3 }).forecast.method).toBe('mean');
  });

  it('budget risk: probabilities, the crossing day, a budget already crossed', () => {
    const rng = new Random(11);
    const history = periodic(150).map((v) => v * Math.exp(0.1 * rng.normal()));
    const fc = forecastMonthEnd({ history, monthToDate: 1500, remainingDays: 19 });
    const expected = fc.monthEnd.expected;
    expect(fc.exceedance(expected * 2).probability).toBeLessThan(0.01);
    expect(fc.exceedance(1500 + (expected - 1500) * 0.5).probability).toBeGreaterThan(0.99);
    const mid = fc.exceedance(expected);
    expect(mid.probability).toBeGreaterThan(0.3);
    expect(mid.probability).toBeLessThan(0.7);
    // Crossing day: the first day whose expected cumulative spend passes the limit (probability ≥ 0.5 then).
    const limit = 1500 + 700;
    let cum = 1500;
    let day = -1;
    for (let h = 0; h < fc.days.length; h++) {
      cum += fc.days[h]!.expected;
      if (cum > limit && day < 0) day = h;
    }
    const ex = fc.exceedance(limit);
    expect(Math.abs(ex.crossingDay! - day)).toBeLessThanOrEqual(1);
    for (let k = 1; k < ex.byDay.length; k++) expect(ex.byDay[k]).toBeGreaterThanOrEqual(ex.byDay[k - 1]!);
    expect(fc.exceedance(expected * 3).crossingDay).toBeNull();
    const crossed = fc.exceedance(1000);
    expect(crossed.probability).toBe(1);
    expect(crossed.crossingDay).toBe(0);
  });

  it('80 % and 95 % intervals cover about their share on a series whose law is known', () => {
    // Log-normal daily noise (σ = 0.2) around a weekly pattern; 60 month ends from independent seeds.
    let in80 = 0;
    let in95 = 0;
    const trials = 60;
    for (let s = 0; s < trials; s++) {
      const rng = new Random(1000 + s);
      const series = periodic(120).map((v) => v * Math.exp(0.2 * rng.normal() - 0.02));
      const history = series.slice(0, 100);
      const truth = series.slice(100, 120).reduce((a, b) => a + b, 0);
      const me = forecastMonthEnd({ history, monthToDate: 0, remainingDays: 19 }).monthEnd;
      if (truth >= me.lower80 && truth <= me.upper80) in80++;
      if (truth >= me.lower95 && truth <= me.upper95) in95++;
    }
    expect(in80 / trials).toBeGreaterThan(0.65);
    expect(in80 / trials).toBeLessThan(0.95);
    expect(in95 / trials).toBeGreaterThan(0.85);
  });
});
