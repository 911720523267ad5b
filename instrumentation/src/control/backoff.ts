/** Exponential back-off with full jitter: a random delay in [base/2, base], base = initial·2^(attempt-1) capped at max. */
export function backoffMillis(attempt: number, initialMillis: number, maxMillis: number, random: () => number = Math.random): number {
  const base = Math.min(maxMillis, initialMillis * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(base / 2 + (random() * base) / 2);
}
