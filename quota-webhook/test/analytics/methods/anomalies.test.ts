import { describe, expect, it } from 'vitest';
import { detectAnomalies, detectErrorSurges, scoreBuckets } from '../../../src/analytics/methods/anomalies.js';
import { Random } from '../../../src/analytics/methods/stats.js';

const profile = [1.2, 1.25, 1.2, 1.15, 1.1, 0.6, 0.5];

/** 12 weeks of daily spend, weekly pattern, 5 % noise. */
function daily(seed = 1): number[] {
  const rng = new Random(seed);
  return Array.from({ length: 84 }, (_, t) => 100 * profile[t % 7]! * Math.exp(0.05 * rng.normal()));
}

describe('robust seasonal anomalies', () => {
  it('expected = median of the same weekday over the last 8 weeks', () => {
    const y = Array.from({ length: 70 }, (_, t) => 10 * profile[t % 7]! + Math.floor(t / 7));
    const [s] = scoreBuckets(y, { period: 7 }, 63, 64);
    // Same weekday in weeks 1–8 (weeks 1…8 add 1…8): median 4.5 above the pattern.
    expect(s!.expected).toBeCloseTo(10 * profile[0]! + 4.5, 9);
    expect(s!.baseline).toBe('seasonal');
  });

  it('a large spike is reported in its own bucket', () => {
    const y = daily();
    y[60] = y[60]! * 10;
    const events = detectAnomalies(y, { period: 7 }, 56, 70);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ start: 60, end: 61, kind: 'spike', direction: 'up', detectedAt: 60 });
    expect(events[0]!.impact).toBeCloseTo(y[60]! - events[0]!.expected, 9);
    expect(events[0]!.score).toBeGreaterThan(6);
  });

  it('a moderate bump is reported only when it persists, one bucket later', () => {
    // No noise: the scale is the 10 % floor (log 1.1), so +50 % is z = log(1.5 v + c) − log(v + c) over log 1.1 ≈ 4.1:
    // a candidate, not strong.
    const exact = (): number[] => Array.from({ length: 70 }, (_, t) => 100 * profile[t % 7]!);
    const once = exact();
    once[60] = once[60]! * 1.5;
    const z = scoreBuckets(once, { period: 7 }, 60, 61)[0]!.score;
    expect(z).toBeGreaterThan(3.5);
    expect(z).toBeLessThan(5);
    expect(detectAnomalies(once, { period: 7 }, 56, 70)).toHaveLength(0);
    const twice = exact();
    twice[60] = twice[60]! * 1.5;
    twice[61] = twice[61]! * 1.5;
    const [ev] = detectAnomalies(twice, { period: 7 }, 56, 70);
    expect(ev).toMatchObject({ start: 60, end: 62, kind: 'spike', detectedAt: 61 });
  });

  it('drops, level shifts, and the minimum money impact', () => {
    const drop = daily();
    drop[58] = 0;
    expect(detectAnomalies(drop, { period: 7 }, 56, 70)[0]).toMatchObject({ start: 58, kind: 'drop', direction: 'down' });
    // A doubling from day 60 on: one level-shift event; then the new level is the baseline (no weeks of alerts).
    const shifted = daily().map((v, t) => (t >= 60 ? v * 2 : v));
    const events = detectAnomalies(shifted, { period: 7 }, 56, 84);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ start: 60, kind: 'level_shift', direction: 'up', detectedAt: 60 });
    expect(events[0]!.end).toBeLessThan(70);
    const small = daily();
    small[60] = small[60]! * 10;
    expect(detectAnomalies(small, { period: 7, minImpact: 5000 }, 56, 70)).toHaveLength(0);
  });

  it('falls back to a rolling median before three seasons', () => {
    const y = Array.from({ length: 14 }, (_, t) => (t === 12 ? 500 : 100));
    const scores = scoreBuckets(y, { period: 7 }, 10, 14);
    expect(scores.every((s) => s.baseline === 'rolling')).toBe(true);
    expect(detectAnomalies(y, { period: 7 }, 10, 14)[0]).toMatchObject({ start: 12, kind: 'spike' });
  });

  it('finds the slot by phase, not by position (hour of week across DST)', () => {
    // Four weeks of a value that depends on the slot; one week is one bucket short.
    const phases: number[] = [];
    for (let w = 0; w < 5; w++) for (let h = 0; h < 168; h++) if (!(w === 2 && h === 30)) phases.push(h);
    const y = phases.map((h) => 10 + (h % 24));
    const scores = scoreBuckets(y, { period: 168, phases }, phases.length - 168, phases.length);
    expect(scores.every((s) => Math.abs(s.observed - s.expected) < 1e-9)).toBe(true);
  });
});

describe('failed-request surges (binomial)', () => {
  it('a surge of errors against a 1 % baseline is found; noise and tiny counts are not', () => {
    const rng = new Random(2);
    const requests = Array.from({ length: 400 }, () => 1000);
    const errors = requests.map((n) => {
      let e = 0;
      for (let i = 0; i < n; i++) if (rng.next() < 0.01) e++;
      return e;
    });
    errors[300] = 60;
    errors[301] = 45;
    errors[350] = 15; // P(X ≥ 15 | 1000, 1 %) ≈ 0.08: not a surge
    requests[380] = 3;
    errors[380] = 3; // 100 % of 3 requests: too few errors to say
    const surges = detectErrorSurges(errors, requests, {}, 200, 400);
    expect(surges).toHaveLength(1);
    expect(surges[0]).toMatchObject({ start: 300, end: 302, detectedAt: 300 });
    expect(surges[0]!.buckets[0]!.baselineRate).toBeGreaterThan(0.008);
    expect(surges[0]!.buckets[0]!.baselineRate).toBeLessThan(0.012);
    expect(surges[0]!.excessErrors).toBeGreaterThan(80);
  });

  it('the surge does not raise the baseline of the buckets after it', () => {
    const requests = Array.from({ length: 300 }, () => 500);
    const errors = requests.map((_, t) => (t >= 200 && t < 210 ? 100 : 5));
    const surges = detectErrorSurges(errors, requests, { baselineBuckets: 48 }, 100, 300);
    expect(surges).toHaveLength(1);
    expect(surges[0]).toMatchObject({ start: 200, end: 210, kind: 'level_shift' });
    expect(surges[0]!.buckets.at(-1)!.baselineRate).toBeCloseTo(0.01, 3);
  });
});
