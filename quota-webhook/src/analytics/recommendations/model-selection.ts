/**
 * Model selection. Traffic on a model that has a cheaper sibling in its
 * family (model-tiers.ts) whose calls look simple — short answers, almost no
 * reasoning tokens, no tool calls — is a candidate for the cheaper model.
 * Savings = the same tokens priced at both models' current rates (tokens held
 * constant: a smaller model may answer at another length, which the
 * evaluation the switch needs will show).
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { finish, rateLookup, ratesEvidence, ratio } from './common.js';
import { cheaperModel } from './model-tiers.js';
import { costAt } from './rates.js';
import type { DetectorContext, Level, Recommendation, SubjectStats } from './types.js';

/** Fewest calls before traffic is judged. */
export const MIN_REQUESTS = 20;
/** Mean output tokens (answer + reasoning) per call of "short" answers. */
export const MAX_MEAN_OUTPUT_TOKENS = 300;
/** Most reasoning tokens, as a share of all output, of "little reasoning". */
export const MAX_REASONING_SHARE = 0.01;
/** Most calls ending in a tool call, as a share of calls with a known finish reason. */
export const MAX_TOOL_CALL_SHARE = 0.01;

export function isSimple(s: SubjectStats): boolean {
  if (s.requests < MIN_REQUESTS) return false;
  const out = s.output + s.reasoning;
  if (out / s.requests > MAX_MEAN_OUTPUT_TOKENS) return false;
  if (out > 0 && s.reasoning / out > MAX_REASONING_SHARE) return false;
  if (s.withFinish > 0 && s.toolCalls / s.withFinish > MAX_TOOL_CALL_SHARE) return false;
  return true;
}

export function detectModelSelection(ctx: DetectorContext, stats: readonly SubjectStats[]): Recommendation[] {
  const rates = rateLookup(ctx);
  const out: Recommendation[] = [];
  for (const s of stats) {
    if (!isSimple(s)) continue;
    const target = cheaperModel(s.provider, s.model);
    if (target === undefined) continue;
    const now = rates(s);
    const next = rates({ provider: s.provider, model: target, org: s.org });
    if (!now || !next) continue;
    if (next.base.input >= now.base.input || next.base.output >= now.base.output) continue;
    const current = costAt(now.base, s);
    const cheaper = costAt(next.base, s);
    if (cheaper >= current) continue;
    const meanOutput = (s.output + s.reasoning) / s.requests;
    const finishKnown = s.withFinish / s.requests;
    const confidence: Level = finishKnown < 0.5 ? 'low' : meanOutput <= 100 && s.requests >= 1000 ? 'high' : 'medium';
    const key = { org: s.org, feature: s.feature, service: s.service, provider: s.provider, model: s.model };
    out.push(finish(ctx, key, {
      type: 'model_selection',
      kind: 'cheaper_model',
      title: `Simple calls on ${s.model} could use ${target}`,
      action: `Evaluate ${target} on this traffic (same prompts, compare answers) and switch if it holds up.`,
      evidence: {
        requests: s.requests,
        mean_output_tokens: Math.round(meanOutput * 10) / 10,
        reasoning_share: ratio(s.reasoning, s.output + s.reasoning),
        tool_call_share: ratio(s.toolCalls, s.withFinish),
        finish_reason_known_share: ratio(s.withFinish, s.requests),
        tokens: { input: s.input, output: s.output, cache_read: s.cache_read, cache_write: s.cache_write, reasoning: s.reasoning },
        current_model: s.model,
        cheaper_model: target,
        cost_at_current_rates_usd: formatUsd(current),
        cost_at_cheaper_rates_usd: formatUsd(cheaper),
        price_id: now.priceId,
        cheaper_price_id: next.priceId,
        rates: ratesEvidence(now.base, ['input', 'output']),
        cheaper_rates: ratesEvidence(next.base, ['input', 'output']),
      },
      windowSavingsPico: current - cheaper,
      difficulty: 'high',
      difficultyReason: 'a model change needs an evaluation of answer quality on this traffic before it ships',
      confidence,
      confidenceReason: finishKnown < 0.5
        ? 'most calls carry no finish reason, so tool use cannot be ruled out'
        : `mean answer ${Math.round(meanOutput)} tokens, no reasoning or tool calls, over ${s.requests} calls; the prompts' difficulty is not visible`,
    }));
  }
  return out;
}
