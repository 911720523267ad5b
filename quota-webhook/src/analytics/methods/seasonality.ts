/**
 * Is there a cycle of `period` buckets (24 hours in hourly data, 7 days in
 * daily data), how strong is it, and what does it look like? Classical
 * decomposition on the log scale (costs are multiplicative): a centred
 * moving average of one period is the trend, the mean detrended value of
 * each phase is the seasonal component, the rest is the remainder.
 * - strength = max(0, 1 − Var(remainder) / Var(seasonal + remainder))
 *   (Wang, Smith & Hyndman 2006; FPP3 §4.3);
 * - a one-way ANOVA F-test of the phases says whether the differences could be noise;
 * - present = at least three full cycles, p < 0.01 and strength ≥ 0.3;
 * - profile = multiplicative factors by phase, mean 1 (e.g. Saturday 0.4).
 */
import { fUpperTail, median } from './stats.js';

export interface SeasonalityOptions {
  /** Phase (0 … period − 1) of each value, e.g. local hour or weekday (Monday = 0); default index mod period. */
  phases?: readonly number[];
  /** Fewest full cycles to judge (default 3). */
  minCycles?: number;
  /** Significance level of the F-test (default 0.01). */
  alpha?: number;
  /** Least strength to call a cycle present (default 0.3). */
  minStrength?: number;
}

export interface Seasonality {
  period: number;
  /** Full cycles in the history. */
  cycles: number;
  /** False when there are fewer than `minCycles` cycles: nothing else is judged. */
  enoughHistory: boolean;
  present: boolean;
  /** 0 (none) … 1 (all variation is the cycle), on the log scale. */
  strength: number;
  /** p-value of the F-test that the phases differ. */
  pValue: number;
  /** Multiplicative factor of each phase (mean 1); empty without enough history. */
  profile: number[];
}

function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  let m = 0;
  for (const v of values) m += v;
  m /= values.length;
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return s / (values.length - 1);
}

/** Centred moving average over one period (2×m MA for an even period); NaN where the window does not fit. */
export function centredMovingAverage(values: readonly number[], period: number): number[] {
  const n = values.length;
  const out = new Array<number>(n).fill(Number.NaN);
  const half = Math.floor(period / 2);
  for (let t = half; t < n - half; t++) {
    let s = 0;
    if (period % 2 === 1) {
      for (let i = t - half; i <= t + half; i++) s += values[i]!;
      out[t] = s / period;
    } else {
      for (let i = t - half + 1; i < t + half; i++) s += values[i]!;
      s += 0.5 * (values[t - half]! + values[t + half]!);
      out[t] = s / period;
    }
  }
  return out;
}

export function detectSeasonality(values: readonly number[], period: number, options: SeasonalityOptions = {}): Seasonality {
  const minCycles = options.minCycles ?? 3;
  const cycles = Math.floor(values.length / period);
  const base = { period, cycles, enoughHistory: cycles >= minCycles };
  if (!base.enoughHistory) return { ...base, present: false, strength: 0, pValue: 1, profile: [] };
  const phaseOf = (t: number): number => options.phases?.[t] ?? t % period;
  const positive = values.filter((v) => v > 0);
  const typical = positive.length > 0 ? median(positive) : 0;
  if (typical === 0) return { ...base, present: false, strength: 0, pValue: 1, profile: new Array<number>(period).fill(1) };
  const offset = 0.05 * typical;
  const z = values.map((v) => Math.log(Math.max(v, 0) + offset));
  const trend = centredMovingAverage(z, period);
  const byPhase: number[][] = Array.from({ length: period }, () => []);
  const detrended: Array<{ phase: number; d: number }> = [];
  for (let t = 0; t < z.length; t++) {
    if (Number.isNaN(trend[t]!)) continue;
    const d = z[t]! - trend[t]!;
    const phase = phaseOf(t);
    byPhase[phase]!.push(d);
    detrended.push({ phase, d });
  }
  const means = byPhase.map((a) => (a.length > 0 ? a.reduce((x, y) => x + y, 0) / a.length : 0));
  const centre = means.reduce((x, y) => x + y, 0) / period;
  const seasonal = means.map((m) => m - centre);
  const remainder = detrended.map(({ phase, d }) => d - seasonal[phase]!);
  const total = detrended.map(({ d }) => d);
  const varTotal = variance(total);
  const strength = varTotal > 0 ? Math.max(0, 1 - variance(remainder) / varTotal) : 0;
  // One-way ANOVA of the detrended values across phases.
  const grand = total.reduce((x, y) => x + y, 0) / Math.max(1, total.length);
  let between = 0;
  let within = 0;
  let groups = 0;
  for (let k = 0; k < period; k++) {
    const a = byPhase[k]!;
    if (a.length === 0) continue;
    groups++;
    between += a.length * (means[k]! - grand) ** 2;
    for (const d of a) within += (d - means[k]!) ** 2;
  }
  const df1 = groups - 1;
  const df2 = total.length - groups;
  let pValue = 1;
  if (df1 > 0 && df2 > 0) pValue = within > 0 ? fUpperTail(between / df1 / (within / df2), df1, df2) : between > 0 ? 0 : 1;
  const factors = seasonal.map((s) => Math.exp(s));
  const mean = factors.reduce((x, y) => x + y, 0) / period;
  const profile = factors.map((f) => f / mean);
  const present = pValue < (options.alpha ?? 0.01) && strength >= (options.minStrength ?? 0.3);
  return { ...base, present, strength, pValue, profile };
}
