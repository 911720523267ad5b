/**
 * Baseline quota suggestions ("establish a baseline, then configure
 * quotas"): from the last 30 days of one subject's daily usage, a limit at a
 * high quantile of its usage per period, with headroom, rounded up to two
 * significant figures, and how often it would have been crossed.
 * - day: the quantile of the daily values; crossed = days above the limit.
 * - month: month totals are simulated by drawing whole weeks of the baseline
 *   (keeps the weekday pattern) and scaling to the month's length; crossed =
 *   share of simulated months above the limit (seeded: reproducible).
 */
import { quantile, Random } from './stats.js';

export interface SuggestionOptions {
  /** Quantile of usage per period the limit sits at before headroom (default 0.95). */
  quantile?: number;
  /** Multiplier on that quantile (default 1.2). */
  headroom?: number;
  /** Days per month for monthly limits (default 30). */
  monthDays?: number;
  /** Round to whole units (tokens, requests). */
  integer?: boolean;
  /** Simulated months (default 2000). */
  draws?: number;
}

export interface Suggestion {
  limit: number;
  /** The usage per period it came from. */
  distribution: { mean: number; p50: number; p90: number; p95: number; max: number; periods: number };
  /** How often the limit would have been crossed over the baseline. */
  crossed: { count: number; of: number; rate: number };
}

/** Rounds up to two significant figures (1234 → 1300, 0.01234 → 0.013). */
export function roundUpNice(x: number, integer = false): number {
  if (!(x > 0)) return 0;
  const mag = 10 ** (Math.floor(Math.log10(x)) - 1);
  let r = Math.ceil(x / mag - 1e-9) * mag;
  r = Number(r.toPrecision(2));
  if (r < x) r = Number((r + mag).toPrecision(2));
  return integer ? Math.max(1, Math.ceil(r)) : r;
}

function describe(values: readonly number[]): Suggestion['distribution'] {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    mean, p50: quantile(values, 0.5), p90: quantile(values, 0.9), p95: quantile(values, 0.95),
    max: values.length > 0 ? Math.max(...values) : 0, periods: values.length,
  };
}

/** A suggested limit per `period` from daily usage (oldest first; 30 days as a rule). */
export function suggestLimit(daily: readonly number[], period: 'day' | 'month', options: SuggestionOptions = {}): Suggestion {
  const q = options.quantile ?? 0.95;
  const headroom = options.headroom ?? 1.2;
  const integer = options.integer ?? false;
  if (period === 'day') {
    const distribution = describe(daily);
    const limit = roundUpNice(quantile(daily, q) * headroom, integer);
    const count = daily.filter((v) => v > limit).length;
    return { limit, distribution, crossed: { count, of: daily.length, rate: daily.length > 0 ? count / daily.length : 0 } };
  }
  const monthDays = options.monthDays ?? 30;
  const draws = options.draws ?? 2000;
  const weeks: number[] = [];
  for (let end = daily.length; end - 7 >= 0; end -= 7) weeks.push(daily.slice(end - 7, end).reduce((a, b) => a + b, 0));
  const rng = new Random(0x5eed);
  const months: number[] = [];
  if (weeks.length > 0) {
    for (let i = 0; i < draws; i++) {
      let s = 0;
      for (let w = 0; w < 5; w++) s += weeks[rng.int(weeks.length)]!;
      months.push((s / 35) * monthDays);
    }
  } else if (daily.length > 0) {
    months.push((daily.reduce((a, b) => a + b, 0) / daily.length) * monthDays);
  }
  const distribution = describe(months);
  const limit = roundUpNice(quantile(months, q) * headroom, integer);
  const count = months.filter((v) => v > limit).length;
  return { limit, distribution, crossed: { count, of: months.length, rate: months.length > 0 ? count / months.length : 0 } };
}
