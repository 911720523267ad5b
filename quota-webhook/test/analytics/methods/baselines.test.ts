import { describe, expect, it } from 'vitest';
import { runRateMonthEnd, seasonalMean, seasonalNaive } from '../../../src/analytics/methods/baselines.js';

const week = [10, 12, 11, 13, 9, 3, 2];

describe('baselines', () => {
  it('run-rate extrapolates month-to-date over the month', () => {
    expect(runRateMonthEnd(100, 10, 31)).toBe(310);
    expect(Number.isNaN(runRateMonthEnd(0, 0, 30))).toBe(true);
  });

  it('seasonal naive repeats the last full season', () => {
    const history = [...week, ...week.map((v) => v * 2)];
    expect(seasonalNaive(history, 10)).toEqual([20, 24, 22, 26, 18, 6, 4, 20, 24, 22]);
    expect(seasonalNaive([5, 6], 3)).toEqual([6, 6, 6]);
    expect(seasonalNaive([], 2)).toEqual([0, 0]);
  });

  it('weekday mean averages the same weekday over the last four weeks', () => {
    const history = [...week.map((v) => v * 100), ...week, ...week.map((v) => v * 2), ...week.map((v) => v * 3), ...week.map((v) => v * 4)];
    // The first week is five weeks back and is left out: (1 + 2 + 3 + 4) / 4 = 2.5.
    expect(seasonalMean(history, 7)).toEqual(week.map((v) => v * 2.5));
    // With two weeks of history, the mean of the two.
    expect(seasonalMean([...week, ...week.map((v) => v * 3)], 3)).toEqual([20, 24, 22]);
    expect(seasonalMean([2, 4], 2)).toEqual([3, 3]);
  });
});
