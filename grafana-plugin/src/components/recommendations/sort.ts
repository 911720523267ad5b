/** Orders of the Recommendations table (exact money, never floats). */
import type { Difficulty, Recommendation } from '../../api/analytics';
import { compareUsd } from '../../utils/money';

const DIFFICULTY_RANK: Record<Difficulty, number> = { low: 0, medium: 1, high: 2 };

/** Savings (exact), then easier first. */
export const bySavings = (a: Recommendation, b: Recommendation) =>
  compareUsd(a.estimated_monthly_savings_usd, b.estimated_monthly_savings_usd) ||
  DIFFICULTY_RANK[b.difficulty] - DIFFICULTY_RANK[a.difficulty];
export const byDifficulty = (a: Recommendation, b: Recommendation) =>
  DIFFICULTY_RANK[a.difficulty] - DIFFICULTY_RANK[b.difficulty] ||
  -compareUsd(a.estimated_monthly_savings_usd, b.estimated_monthly_savings_usd);
