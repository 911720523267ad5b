import { describe, expect, it } from 'vitest';
import { distribute, distributeEven, distributeOrEven, weightUnits } from '../../src/analytics/largest-remainder.js';

/** Small deterministic PRNG (mulberry32) so the property checks are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('largest-remainder distribution', () => {
  it('gives the known Hamilton answers', () => {
    expect(distribute(100n, [1n, 2n, 3n])).toEqual([17n, 33n, 50n]); // 16.67, 33.33, 50 → the largest remainder (idx 0) gets the unit
    expect(distribute(101n, [600n, 300n, 100n])).toEqual([61n, 30n, 10n]);
    expect(distribute(7n, [0n, 5n, 0n])).toEqual([0n, 7n, 0n]);
    expect(distribute(0n, [3n, 1n])).toEqual([0n, 0n]);
  });

  it('breaks ties by index, so equal claims are settled the same way every time', () => {
    expect(distribute(2n, [1n, 1n, 1n])).toEqual([1n, 1n, 0n]);
    expect(distributeEven(101n, 3)).toEqual([34n, 34n, 33n]);
    expect(distributeEven(5n, 5)).toEqual([1n, 1n, 1n, 1n, 1n]);
  });

  it('sums exactly and keeps every share within one unit of its exact quota (5,000 random cases)', () => {
    const next = rng(42);
    const bad: string[] = [];
    for (let c = 0; c < 5_000; c++) {
      const n = 1 + Math.floor(next() * 12);
      const weights: bigint[] = Array.from({ length: n }, () => BigInt(Math.floor(next() * 1e9)) * (next() < 0.2 ? 0n : 1n));
      if (!weights.some((w) => w > 0n)) weights[0] = 1n;
      const total = BigInt(Math.floor(next() * 1e15)) * 1000n + BigInt(Math.floor(next() * 1000));
      const shares = distribute(total, weights);
      if (shares.reduce((a, b) => a + b, 0n) !== total) bad.push(`case ${c}: sum`);
      const sum = weights.reduce((a, b) => a + b, 0n);
      shares.forEach((s, i) => {
        const floor = (total * weights[i]!) / sum;
        if (s !== floor && s !== floor + 1n) bad.push(`case ${c}: share ${i}`);
      });
      if (distribute(total, weights).join() !== shares.join()) bad.push(`case ${c}: not deterministic`);
    }
    expect(bad).toEqual([]);
  });

  it('falls back to an even split when no recipient has a weight', () => {
    expect(distributeOrEven(10n, [0n, 0n, 0n])).toEqual([4n, 3n, 3n]);
    expect(distributeOrEven(10n, [0n, 1n])).toEqual([0n, 10n]);
  });

  it('refuses what cannot be split', () => {
    expect(() => distribute(-1n, [1n])).toThrow(/total must be >= 0/);
    expect(() => distribute(1n, [1n, -2n])).toThrow(/weights\[1\] must be >= 0/);
    expect(() => distribute(1n, [0n, 0n])).toThrow(/at least one weight/);
    expect(() => distributeEven(1n, 0)).toThrow(/positive integer/);
  });

  it('reads admin weights as exact integer units', () => {
    expect(weightUnits(1)).toBe(1_000_000n);
    expect(weightUnits(0.1)).toBe(100_000n);
    expect(weightUnits(33.333333)).toBe(33_333_333n);
    expect(() => weightUnits(0.1234567)).toThrow(/more than 6 fractional digits/);
    expect(() => weightUnits(-1)).toThrow(/>= 0/);
  });
});
