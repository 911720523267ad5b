import { describe, expect, it } from 'vitest';
import { attributeDelta } from '../../../src/analytics/methods/attribution.js';
import { roundUpNice, suggestLimit } from '../../../src/analytics/methods/suggestions.js';

describe('attribution of a delta to a dimension', () => {
  it('ranks values by how much they move the total, shares summing to 1', () => {
    const a = attributeDelta([
      { key: 'alice', observed: 50, expected: 10 },
      { key: 'bob', observed: 20, expected: 20 },
      { key: 'carol', observed: 5, expected: 15 },
      { key: 'dave', observed: 35, expected: 5 },
    ]);
    expect(a.delta).toBe(60);
    expect(a.contributions.map((c) => c.key)).toEqual(['alice', 'dave', 'bob', 'carol']);
    expect(a.contributions[0]!.share).toBeCloseTo(40 / 60, 12);
    expect(a.contributions[3]!.share).toBeCloseTo(-10 / 60, 12);
    expect(a.explained).toBeCloseTo(1, 12);
    expect(attributeDelta([{ key: 'x', observed: 1, expected: 9 }, { key: 'y', observed: 4, expected: 5 }], 1).contributions[0]!.key).toBe('x');
  });
});

describe('quota suggestions', () => {
  it('rounds up to two significant figures', () => {
    expect(roundUpNice(1234)).toBe(1300);
    expect(roundUpNice(34.26)).toBe(35);
    expect(roundUpNice(0.01234)).toBe(0.013);
    expect(roundUpNice(100)).toBe(100);
    expect(roundUpNice(2.2, true)).toBe(3);
    expect(roundUpNice(0)).toBe(0);
  });

  it('daily: 95th percentile × 1.2 headroom, and the days it would have been crossed', () => {
    const days = Array.from({ length: 30 }, (_, i) => i + 1);
    const s = suggestLimit(days, 'day');
    // p95 of 1…30 = 28.55; × 1.2 = 34.26 → 35.
    expect(s.limit).toBe(35);
    expect(s.distribution).toMatchObject({ p50: 15.5, max: 30, periods: 30 });
    expect(s.crossed).toEqual({ count: 0, of: 30, rate: 0 });
    const tight = suggestLimit(days, 'day', { headroom: 1, quantile: 0.8 });
    expect(tight.limit).toBe(25);
    expect(tight.crossed.count).toBe(5);
  });

  it('monthly: simulated months from whole weeks, reproducible', () => {
    const flat = suggestLimit(Array.from({ length: 28 }, () => 10), 'month');
    expect(flat.limit).toBe(360);
    expect(flat.crossed.rate).toBe(0);
    const bumpy = Array.from({ length: 28 }, (_, i) => (i < 7 ? 30 : 10));
    const a = suggestLimit(bumpy, 'month', { quantile: 0.5, headroom: 1 });
    const b = suggestLimit(bumpy, 'month', { quantile: 0.5, headroom: 1 });
    expect(a).toEqual(b);
    expect(a.crossed.rate).toBeGreaterThan(0.2);
    expect(a.crossed.rate).toBeLessThan(0.6);
  });
});
