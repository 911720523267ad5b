import { describe, expect, it } from 'vitest';
import { fitEts, forecastEts, horizonVariances, innovationWeights } from '../../../src/analytics/methods/ets.js';
import { Random } from '../../../src/analytics/methods/stats.js';

const pattern = [1, 1.2, 1.1, 1.3, 0.9, -0.5, -0.8];

describe('damped additive Holt-Winters', () => {
  it('continues an exact seasonal pattern exactly', () => {
    const y = Array.from({ length: 70 }, (_, t) => 5 + pattern[t % 7]!);
    const fit = fitEts(y, 7);
    const f = forecastEts(fit, 14);
    f.forEach((v, h) => expect(v).toBeCloseTo(5 + pattern[(70 + h) % 7]!, 6));
    expect(fit.sigma).toBeLessThan(1e-6);
  });

  it('follows a trend with a damped slope (between flat and the straight line)', () => {
    const y = Array.from({ length: 84 }, (_, t) => 5 + 0.05 * t + pattern[t % 7]!);
    const fit = fitEts(y, 7);
    expect(fit.params.beta).toBeGreaterThan(0);
    const f = forecastEts(fit, 28);
    const line = (t: number): number => 5 + 0.05 * t + pattern[t % 7]!;
    // One step ahead is nearly exact; 28 steps ahead lies between no growth and full growth.
    expect(Math.abs(f[0]! - line(84))).toBeLessThan(0.05);
    expect(f[27]!).toBeGreaterThan(line(84) - 0.05 + pattern[(84 + 27) % 7]! - pattern[84 % 7]!);
    expect(f[27]!).toBeLessThan(line(111) + 0.05);
  });

  it('innovation weights are α + β(φ + … + φ^j) + γ·1[j mod m = 0]', () => {
    const p = { alpha: 0.3, beta: 0.06, gamma: 0.1, phi: 0.9 };
    const c = innovationWeights(p, 7, 15);
    expect(c[0]).toBe(1);
    expect(c[1]).toBeCloseTo(0.3 + 0.06 * 0.9, 12);
    expect(c[3]).toBeCloseTo(0.3 + 0.06 * (0.9 + 0.81 + 0.729), 12);
    expect(c[7]).toBeCloseTo(0.3 + 0.06 * Array.from({ length: 7 }, (_, i) => 0.9 ** (i + 1)).reduce((a, b) => a + b) + 0.1, 12);
    expect(c[14]! - c[13]!).toBeGreaterThan(0.09);
  });

  it('h-step variance matches the FPP3 closed form when the trend is not damped', () => {
    const y = Array.from({ length: 60 }, (_, t) => pattern[t % 7]! + Math.sin(t));
    const fit = { ...fitEts(y, 7), params: { alpha: 0.2, beta: 0.05, gamma: 0.1, phi: 1 }, sigma: 2 };
    const v = horizonVariances(fit, 20);
    const { alpha: a, beta: b, gamma: g } = fit.params;
    for (const h of [1, 5, 8, 15, 20]) {
      const k = Math.floor((h - 1) / 7);
      const closed = 4 * (1 + (h - 1) * (a * a + a * b * h + (b * b * h * (2 * h - 1)) / 6) + g * k * (2 * a + g + b * 7 * (k + 1)));
      expect(v[h - 1]).toBeCloseTo(closed, 9);
    }
  });

  it('one spike barely moves the forecast (robust updates); three in a row are a level shift', () => {
    const rng = new Random(7);
    const base = Array.from({ length: 70 }, (_, t) => pattern[t % 7]! + 0.05 * rng.normal());
    const spiked = base.slice();
    spiked[66] = spiked[66]! + 3;
    const plain = forecastEts(fitEts(base, 7), 7);
    const robust = forecastEts(fitEts(spiked, 7), 7);
    const naive = forecastEts(fitEts(spiked, 7, { huber: Number.POSITIVE_INFINITY }), 7);
    const shift = (f: number[]): number => f.reduce((a, v, i) => a + v - plain[i]!, 0) / 7;
    expect(Math.abs(shift(robust))).toBeLessThan(0.1);
    expect(Math.abs(shift(naive))).toBeGreaterThan(Math.abs(shift(robust)));
    const stepped = base.map((v, t) => (t >= 63 ? v + 1 : v));
    expect(shift(forecastEts(fitEts(stepped, 7), 7))).toBeGreaterThan(0.8);
  });

  it('refuses a history shorter than two seasons', () => {
    expect(() => fitEts([1, 2, 3], 7)).toThrow(/at least 15/);
  });
});
