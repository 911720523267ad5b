import { describe, expect, it } from 'vitest';
import {
  binomialUpperTail, fUpperTail, logGamma, mad, median, normalCdf, normalQuantile, quantile, Random, studentCdf, studentQuantile,
} from '../../../src/analytics/methods/stats.js';

describe('statistics helpers', () => {
  it('normal CDF and quantile match tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 14);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 10);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 9);
    for (const p of [0.001, 0.1, 0.5, 0.77, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
  });

  it('log-gamma gives factorials and √π', () => {
    expect(Math.exp(logGamma(6))).toBeCloseTo(120, 9);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('binomial upper tail equals the direct sum of the pmf', () => {
    const direct = (k: number, n: number, p: number): number => {
      let s = 0;
      for (let i = k; i <= n; i++) s += Math.exp(logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p));
      return s;
    };
    for (const [k, n, p] of [[3, 10, 0.1], [15, 1000, 0.01], [40, 1000, 0.01], [1, 5, 0.5], [7, 7, 0.3]] as const) {
      expect(binomialUpperTail(k, n, p)).toBeCloseTo(direct(k, n, p), 12);
    }
    expect(binomialUpperTail(0, 10, 0.2)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.2)).toBe(0);
  });

  it('F and Student t tails match closed forms', () => {
    // F(2, d): P(F > f) = (1 + 2f/d)^(−d/2).
    expect(fUpperTail(3, 2, 10)).toBeCloseTo(1.6 ** -5, 12);
    // t(1) is Cauchy: CDF(t) = 1/2 + atan(t)/π.
    expect(studentCdf(1, 1)).toBeCloseTo(0.75, 12);
    expect(studentCdf(-2, 1)).toBeCloseTo(0.5 + Math.atan(-2) / Math.PI, 12);
    expect(studentQuantile(0.975, 3)).toBeCloseTo(3.182446305284263, 8);
    expect(studentQuantile(0.9, Number.POSITIVE_INFINITY)).toBeCloseTo(1.2815515655446004, 10);
  });

  it('order statistics and robust scale', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });

  it('the seeded generator is deterministic and roughly uniform / normal', () => {
    const a = new Random(42);
    const b = new Random(42);
    const xs = Array.from({ length: 20_000 }, () => a.next());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);
    const z = Array.from({ length: 20_000 }, () => a.normal());
    const m = z.reduce((s, x) => s + x, 0) / z.length;
    const v = z.reduce((s, x) => s + (x - m) ** 2, 0) / z.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});
