/** `GET /analytics/recommendations`: the ranked findings with dismissals applied, as wire objects. */
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { Window } from '../chargeback-service.js';
import type { LedgerSlice, ReadQuery } from '../ledger-sql.js';
import { runDetectors } from './engine.js';
import { grewSubstantially, REAPPEAR_FACTOR, REAPPEAR_MIN_INCREASE_USD, type Dismissal } from './rank.js';
import type { Level, Recommendation, RecommendationType } from './types.js';

export interface RecommendationFilter {
  types?: readonly RecommendationType[];
  /** Hide findings that save less than this a month. */
  minMonthlySavingsPico: bigint;
  limit: number;
  /** Show dismissed findings too (flagged). */
  includeDismissed: boolean;
}

/** The confidence level as a number (for sorting and display): low 0.3, medium 0.6, high 0.9. */
export const CONFIDENCE_SCORE: Readonly<Record<Level, number>> = { low: 0.3, medium: 0.6, high: 0.9 };

/** Evidence with nested objects flattened to dotted keys (`tokens.input`), so every value is a number, a string, an array or null. */
export function flatEvidence(e: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(e)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatEvidence(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

export function recommendationView(r: Recommendation, dismissal?: Dismissal): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id, type: r.type, kind: r.kind, title: r.title, action: r.action, subject: r.subject,
    estimated_monthly_savings_usd: formatUsd(r.monthlySavingsPico), window_savings_usd: formatUsd(r.windowSavingsPico),
    difficulty: r.difficulty, difficulty_reason: r.difficultyReason,
    confidence: CONFIDENCE_SCORE[r.confidence], confidence_level: r.confidence, confidence_reason: r.confidenceReason,
    evidence: flatEvidence(r.evidence),
  };
  if (dismissal) {
    out.dismissal = {
      dismissed_at: dismissal.dismissed_at, dismissed_by: dismissal.actor, reason: dismissal.reason ?? null,
      monthly_savings_usd_when_dismissed: dismissal.monthly_savings_usd,
      hidden: !grewSubstantially(parseUsd(dismissal.monthly_savings_usd), r.monthlySavingsPico),
    };
  }
  return out;
}

/** Every current finding of the window (unfiltered, ranked). */
export function currentRecommendations(
  q: ReadQuery, catalog: PriceCatalog, w: Window, batchable: readonly string[], filters?: Readonly<Record<string, string>>,
): Promise<Recommendation[]> {
  const slice: LedgerSlice = w.scope !== undefined && w.subject !== undefined ? { fromMs: w.fromMs, toMs: w.toMs, scope: w.scope, subject: w.subject } : { fromMs: w.fromMs, toMs: w.toMs };
  if (filters !== undefined) slice.filters = filters;
  return runDetectors(q, { catalog, slice, asOfMs: w.asOfMs, tz: w.tz, batchable });
}

export async function recommendationsReport(
  q: ReadQuery, catalog: PriceCatalog, w: Window, batchable: readonly string[], dismissals: ReadonlyMap<string, Dismissal>, f: RecommendationFilter,
): Promise<Record<string, unknown>> {
  const all = await currentRecommendations(q, catalog, w, batchable);
  const shown: Array<Record<string, unknown>> = [];
  let hidden = 0;
  let belowMinimum = 0;
  for (const r of all) {
    if (f.types && !f.types.includes(r.type)) continue;
    if (r.monthlySavingsPico < f.minMonthlySavingsPico) {
      belowMinimum++;
      continue;
    }
    const d = dismissals.get(r.id);
    const stillHidden = d !== undefined && !grewSubstantially(parseUsd(d.monthly_savings_usd), r.monthlySavingsPico);
    if (stillHidden && !f.includeDismissed) {
      hidden++;
      continue;
    }
    if (shown.length < f.limit) shown.push(recommendationView(r, d));
  }
  return {
    period: {
      from: new Date(w.fromMs).toISOString(), to: new Date(w.toMs).toISOString(), tz: w.tz, as_of: new Date(w.asOfMs).toISOString(),
      ...(w.scope !== undefined ? { scope: w.scope, subject: w.subject } : {}),
    },
    recommendations: shown,
    dismissed_hidden: hidden,
    below_minimum: belowMinimum,
    min_savings_usd: formatUsd(f.minMonthlySavingsPico),
    dismissal_rule: `a dismissed recommendation returns when its estimated monthly savings reach ${REAPPEAR_FACTOR}× the estimate at dismissal and exceed it by at least ${REAPPEAR_MIN_INCREASE_USD} USD`,
    note: 'savings of different recommendations for the same traffic overlap (caching and a cheaper model both lower input cost): do not add them up',
  };
}
