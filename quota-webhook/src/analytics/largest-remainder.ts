/**
 * Largest-remainder (Hamilton) distribution of an integer amount: every share
 * is ⌊total × wᵢ / W⌋ and the units left over go, one each, to the largest
 * remainders. The shares always sum to the total exactly, so money split in
 * integer pico-USD reconciles to the pico-dollar. Ties between equal
 * remainders go to the lower index: callers order recipients by a stable key
 * (a name), which makes every answer deterministic.
 */

/** Integer weight units per 1 of a decimal weight (weights carry at most 6 fractional digits). */
export const WEIGHT_SCALE = 1_000_000n;

/**
 * Splits `total` (≥ 0) in proportion to `weights` (each ≥ 0, at least one > 0).
 * Returns one share per weight, in the same order; Σ shares = total.
 */
export function distribute(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new RangeError(`total must be >= 0, got ${total}`);
  let sum = 0n;
  for (const [i, w] of weights.entries()) {
    if (w < 0n) throw new RangeError(`weights[${i}] must be >= 0, got ${w}`);
    sum += w;
  }
  if (sum === 0n) throw new RangeError('at least one weight must be > 0');
  const shares: bigint[] = [];
  const remainders: bigint[] = [];
  let given = 0n;
  for (const w of weights) {
    const product = total * w;
    const share = product / sum;
    shares.push(share);
    remainders.push(product % sum);
    given += share;
  }
  let left = total - given;
  if (left === 0n) return shares;
  // Fewer units are left than there are weights (Σ remainders / W < n), so one pass over the sorted order suffices.
  const order = remainders.map((_, i) => i).sort((a, b) => {
    const ra = remainders[a]!;
    const rb = remainders[b]!;
    return ra === rb ? a - b : ra > rb ? -1 : 1;
  });
  for (const i of order) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares;
}

/** Splits `total` evenly among `n` recipients (the first ones get the extra units). */
export function distributeEven(total: bigint, n: number): bigint[] {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer, got ${n}`);
  return distribute(total, Array.from({ length: n }, () => 1n));
}

/**
 * Splits `total` by `weights`, or evenly when every weight is zero (a
 * proportional split of recipients that have spent nothing yet).
 */
export function distributeOrEven(total: bigint, weights: readonly bigint[]): bigint[] {
  return weights.some((w) => w > 0n) ? distribute(total, weights) : distributeEven(total, weights.length);
}

/** An admin's decimal weight (a number with ≤ 6 fractional digits, ≥ 0) as integer units of `WEIGHT_SCALE`. */
export function weightUnits(weight: number): bigint {
  if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`weight must be a finite number >= 0, got ${weight}`);
  const scaled = Math.round(weight * 1e6);
  if (Math.abs(scaled - weight * 1e6) > 1e-6 * Math.max(1, weight * 1e6)) throw new RangeError(`weight ${weight} has more than 6 fractional digits`);
  return BigInt(scaled);
}
