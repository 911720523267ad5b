/**
 * The projected month-end cost exported as `tokenmeter_projected_month_end_cost_usd`,
 * once per projector with its `method` label: `run_rate` (the named baseline,
 * here) and `forecast` (the analytics forecaster, month-end-forecast.ts, with
 * its 80 % bounds), so that dashboards can compare them.
 */
import type { ControlPlane } from '../control-plane.js';
import type { PeriodScope } from './period-totals.js';

/** One subject's month so far in one time zone. */
export interface MonthEndInput {
  scope: PeriodScope;
  subject: string;
  timezone: string;
  /** Start of the calendar month in `timezone` (epoch ms). */
  month_start_ms: number;
  /** Start of the next month (epoch ms). */
  month_end_ms: number;
  now_ms: number;
  /** Exact month-to-date cost, pico-USD. */
  month_to_date_pico: bigint;
}

export interface MonthEndProjection {
  /** Expected cost of the whole month, pico-USD. */
  expected_pico: bigint;
  /** How it was projected (the `method` label), e.g. `run_rate`. */
  method: string;
  /** The 80 % interval, pico-USD, where the method has one. */
  lower_80_pico?: bigint;
  upper_80_pico?: bigint;
}

/** Projects the month-end of every input (one call per scrape, so a forecaster can read the ledger once for all); undefined = no projection of that input. */
export type MonthEndProjector = (inputs: readonly MonthEndInput[], cp: ControlPlane) => Promise<Array<MonthEndProjection | undefined>>;

/**
 * Run rate: month-to-date × (length of the month ÷ time elapsed), exact in
 * pico-USD (rounded down). It assumes the rest of the month spends like the
 * part so far, so it swings early in the month and ignores weekly patterns.
 */
export function runRateMonthEnd(input: MonthEndInput): MonthEndProjection {
  const elapsed = input.now_ms - input.month_start_ms;
  const length = input.month_end_ms - input.month_start_ms;
  if (elapsed <= 0) return { expected_pico: input.month_to_date_pico, method: 'run_rate' };
  const expected = elapsed >= length ? input.month_to_date_pico : (input.month_to_date_pico * BigInt(length)) / BigInt(elapsed);
  return { expected_pico: expected, method: 'run_rate' };
}

/** The run-rate projector. */
export const projectMonthEnd: MonthEndProjector = async (inputs) => inputs.map(runRateMonthEnd);
