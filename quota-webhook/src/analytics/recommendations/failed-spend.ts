/**
 * Failed spend: tokens billed on calls that ended in an error (timeouts after
 * the answer started, cut streams, invalid tool output the caller rejected).
 * Savings = those tokens at today's rates — what fixing the cause would stop
 * paying. Repeats of a failed call are duplicates (prompt-efficiency.ts).
 */
import { costAt } from './rates.js';
import { finish, rateLookup, ratesEvidence, ratio, tokensEvidence } from './common.js';
import type { DetectorContext, Recommendation, SubjectStats } from './types.js';

export function detectFailedSpend(ctx: DetectorContext, stats: readonly SubjectStats[]): Recommendation[] {
  const rates = rateLookup(ctx);
  const out: Recommendation[] = [];
  for (const s of stats) {
    if (s.errors === 0) continue;
    const r = rates(s);
    if (!r) continue;
    const savings = costAt(r.base, s.errorTokens);
    if (savings === 0n) continue;
    const cause = s.topErrorType ? ` (most often ${s.topErrorType})` : '';
    out.push(finish(ctx, { org: s.org, feature: s.feature, service: s.service, provider: s.provider, model: s.model }, {
      type: 'failed_spend',
      kind: 'errors',
      title: `Calls on ${s.model} that failed were billed`,
      action: `Find and fix the cause of the failed calls${cause}; set client timeouts above the model's answer time and stop retrying errors that cannot succeed.`,
      evidence: {
        requests: s.requests,
        failed_requests: s.errors,
        error_rate: ratio(s.errors, s.requests),
        top_error_type: s.topErrorType ?? null,
        failed_tokens: tokensEvidence(s.errorTokens),
        price_id: r.priceId,
        rates: ratesEvidence(r.base),
      },
      windowSavingsPico: savings,
      difficulty: 'medium',
      difficultyReason: 'the cause has to be found first (timeouts, malformed requests, provider errors)',
      confidence: s.errors >= 10 ? 'high' : 'medium',
      confidenceReason: 'the tokens of failed calls were billed; the saving assumes the cause is fixed',
    }));
  }
  return out;
}
