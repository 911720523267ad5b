import { describe, expect, it } from 'vitest';
import { detectSeasonality } from '../../../src/analytics/methods/seasonality.js';
import { Random } from '../../../src/analytics/methods/stats.js';

const factors = [1.2, 1.25, 1.2, 1.15, 1.1, 0.6, 0.5];

describe('seasonality', () => {
  it('finds a weekly cycle in noisy daily data and recovers its profile', () => {
    const rng = new Random(5);
    const y = Array.from({ length: 12 * 7 }, (_, t) => 100 * factors[t % 7]! * Math.exp(0.03 * rng.normal()));
    const s = detectSeasonality(y, 7);
    expect(s.enoughHistory).toBe(true);
    expect(s.cycles).toBe(12);
    expect(s.present).toBe(true);
    expect(s.strength).toBeGreaterThan(0.8);
    expect(s.pValue).toBeLessThan(1e-6);
    const mean = factors.reduce((a, b) => a + b, 0) / 7;
    s.profile.forEach((f, k) => expect(f).toBeCloseTo(factors[k]! / mean, 1));
    expect(s.profile.reduce((a, b) => a + b, 0)).toBeCloseTo(7, 9);
  });

  it('finds nothing in white noise', () => {
    const rng = new Random(9);
    const y = Array.from({ length: 10 * 24 }, () => 50 * Math.exp(0.3 * rng.normal()));
    const s = detectSeasonality(y, 24);
    expect(s.present).toBe(false);
    expect(s.strength).toBeLessThan(0.3);
  });

  it('says plainly when there are fewer than three cycles', () => {
    const s = detectSeasonality(Array.from({ length: 20 }, (_, t) => factors[t % 7]!), 7);
    expect(s).toMatchObject({ enoughHistory: false, present: false, cycles: 2, profile: [] });
  });

  it('uses the given phases (local hours across a DST change) instead of position', () => {
    // Hour-of-day profile: busy 9–17 local. A 23-hour day shifts every later bucket's position by one.
    const hours: number[] = [];
    for (let d = 0; d < 8; d++) {
      const n = d === 3 ? 23 : 24;
      for (let h = 0; h < 24; h++) if (!(n === 23 && h === 2)) hours.push(h);
    }
    const y = hours.map((h) => (h >= 9 && h < 17 ? 100 : 10));
    const byPhase = detectSeasonality(y, 24, { phases: hours });
    const byPosition = detectSeasonality(y, 24);
    expect(byPhase.present).toBe(true);
    expect(byPhase.strength).toBeGreaterThan(byPosition.strength);
    expect(byPhase.profile[12]! / byPhase.profile[3]!).toBeCloseTo(10, 0);
  });
});
