/**
 * Ranking and dismissals. Recommendations are ordered by estimated monthly
 * savings (largest first, then id). A dismissed recommendation stays hidden
 * until its evidence grows substantially: its estimated monthly savings reach
 * at least `REAPPEAR_FACTOR` × the estimate when it was dismissed **and**
 * exceed that estimate by at least `REAPPEAR_MIN_INCREASE_USD` a month. Both
 * conditions: a relative rise alone would bring back trivial items (0.10 →
 * 0.20 USD), an absolute one alone would bring back large items after normal
 * month-to-month noise.
 */
import { PICO_PER_USD } from '@tokenmeter/instrumentation/pricing';
import type { Recommendation } from './types.js';

/** Savings must grow to 1.5× the dismissed estimate… */
export const REAPPEAR_FACTOR_NUM = 3n;
export const REAPPEAR_FACTOR_DEN = 2n;
export const REAPPEAR_FACTOR = 1.5;
/** …and by at least 10 USD a month. */
export const REAPPEAR_MIN_INCREASE_USD = 10;
const MIN_INCREASE_PICO = BigInt(REAPPEAR_MIN_INCREASE_USD) * PICO_PER_USD;

/** What is stored when an admin dismisses a recommendation (entity family `recommendation-dismissal`). */
export interface Dismissal {
  id: string;
  dismissed_at: string;
  actor: string;
  reason?: string;
  /** The estimate when dismissed, exact decimal USD per month. */
  monthly_savings_usd: string;
  type: string;
  kind: string;
}

/** True when a dismissed recommendation's evidence grew enough to show it again. */
export function grewSubstantially(dismissedPico: bigint, currentPico: bigint): boolean {
  return currentPico * REAPPEAR_FACTOR_DEN >= dismissedPico * REAPPEAR_FACTOR_NUM && currentPico - dismissedPico >= MIN_INCREASE_PICO;
}

export function byMonthlySavings(a: Recommendation, b: Recommendation): number {
  if (a.monthlySavingsPico !== b.monthlySavingsPico) return a.monthlySavingsPico > b.monthlySavingsPico ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
