/**
 * Prompt efficiency, three findings:
 * - `duplicate_requests`: the same request (fingerprint `request_hash`) sent
 *   again the same UTC day; a response cache keyed by the fingerprint would
 *   have answered the repeats. Savings = the repeats' tokens at today's rates.
 * - `truncated_retries`: answers cut by the output limit (`finish_reason`
 *   `length` / `max_tokens`) followed by another call with the same prefix
 *   within 5 minutes; the cut answer was paid for and thrown away. Savings =
 *   those calls' tokens.
 * - `input_heavy`: input (all kinds) per output token far above the org's
 *   median (≥ `INPUT_HEAVY_FACTOR` × median and ≥ `INPUT_HEAVY_MIN_RATIO`).
 *   Savings = uncached input beyond twice the median ratio, at the input
 *   rate: an estimate of what trimming the context could save (low confidence).
 */
import { costAt } from './rates.js';
import { finish, rateLookup, ratesEvidence, ratio, tokensEvidence } from './common.js';
import type { DetectorContext, DuplicateStats, Level, Recommendation, SubjectStats, TruncationStats } from './types.js';

export const INPUT_HEAVY_FACTOR = 4;
export const INPUT_HEAVY_MIN_RATIO = 50;
const INPUT_HEAVY_MIN_REQUESTS = 20;

function keyOf(s: { org: string | null; feature: string | null; service: string | null; provider: string; model: string }) {
  return { org: s.org, feature: s.feature, service: s.service, provider: s.provider, model: s.model };
}

export function detectDuplicates(ctx: DetectorContext, rows: readonly DuplicateStats[]): Recommendation[] {
  const rates = rateLookup(ctx);
  const out: Recommendation[] = [];
  for (const d of rows) {
    const r = rates(d);
    if (!r || d.duplicates === 0) continue;
    const savings = costAt(r.base, d.tokens);
    if (savings === 0n) continue;
    out.push(finish(ctx, keyOf(d), {
      type: 'prompt_efficiency',
      kind: 'duplicate_requests',
      title: `The same requests are sent to ${d.model} more than once`,
      action: 'Answer repeated identical requests from a response cache keyed by the request (for a day), or find the client that repeats them.',
      evidence: { duplicate_requests: d.duplicates, repeated_requests: d.repeatedRequests, tokens: tokensEvidence(d.tokens), price_id: r.priceId, rates: ratesEvidence(r.base) },
      windowSavingsPico: savings,
      difficulty: 'low',
      difficultyReason: 'a cache in front of the call, keyed by the request; no change to prompts',
      confidence: 'medium',
      confidenceReason: 'identical requests are certain, but some may want a fresh sample on purpose (temperature > 0)',
    }));
  }
  return out;
}

export function detectTruncation(ctx: DetectorContext, rows: readonly TruncationStats[]): Recommendation[] {
  const rates = rateLookup(ctx);
  const out: Recommendation[] = [];
  for (const t of rows) {
    const r = rates(t);
    if (!r || t.wasted === 0) continue;
    const savings = costAt(r.base, t.tokens);
    if (savings === 0n) continue;
    const cap = t.meanMaxOutputTokens === null ? 'the output limit' : `the output limit (about ${Math.round(t.meanMaxOutputTokens)} tokens)`;
    out.push(finish(ctx, keyOf(t), {
      type: 'prompt_efficiency',
      kind: 'truncated_retries',
      title: `Answers on ${t.model} are cut by the output limit and retried`,
      action: `Raise ${cap} or ask for shorter answers, so the first call completes instead of being retried.`,
      evidence: { truncated_requests: t.truncated, retried_truncated_requests: t.wasted, mean_max_output_tokens: t.meanMaxOutputTokens, tokens: tokensEvidence(t.tokens), price_id: r.priceId, rates: ratesEvidence(r.base) },
      windowSavingsPico: savings,
      difficulty: 'low',
      difficultyReason: 'one request parameter (max_tokens) or one instruction in the prompt',
      confidence: t.wasted >= 20 ? 'medium' : 'low',
      confidenceReason: 'a retry is inferred from a call with the same prompt prefix within 5 minutes of a truncated one',
    }));
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function inputOf(s: SubjectStats): number {
  return s.input + s.cache_read + s.cache_write;
}

export function detectInputHeavy(ctx: DetectorContext, stats: readonly SubjectStats[]): Recommendation[] {
  const eligible = stats.filter((s) => s.requests >= INPUT_HEAVY_MIN_REQUESTS && s.output + s.reasoning > 0);
  if (eligible.length === 0) return [];
  const med = median(eligible.map((s) => inputOf(s) / (s.output + s.reasoning)));
  const threshold = Math.max(INPUT_HEAVY_MIN_RATIO, INPUT_HEAVY_FACTOR * med);
  const rates = rateLookup(ctx);
  const out: Recommendation[] = [];
  for (const s of eligible) {
    const out_ = s.output + s.reasoning;
    const ratioNow = inputOf(s) / out_;
    if (ratioNow < threshold) continue;
    const r = rates(s);
    if (!r) continue;
    const target = 2 * med;
    const excess = Math.max(0, Math.min(s.input, Math.floor(inputOf(s) - target * out_)));
    const savings = BigInt(excess) * r.base.input;
    if (savings === 0n) continue;
    const confidence: Level = 'low';
    out.push(finish(ctx, keyOf(s), {
      type: 'prompt_efficiency',
      kind: 'input_heavy',
      title: `Calls on ${s.model} send ${Math.round(ratioNow)} input tokens per output token`,
      action: 'Trim the context sent with each call (retrieved documents, conversation history, unused tool definitions) to what the answer needs.',
      evidence: {
        requests: s.requests,
        input_per_output: Math.round(ratioNow * 10) / 10,
        org_median_input_per_output: Math.round(med * 10) / 10,
        target_input_per_output: Math.round(target * 10) / 10,
        excess_input_tokens: excess,
        cache_read_share: ratio(s.cache_read, inputOf(s)),
        price_id: r.priceId,
        rates: ratesEvidence(r.base, ['input']),
      },
      windowSavingsPico: savings,
      difficulty: 'medium',
      difficultyReason: 'the context has to be reworked and the answers checked',
      confidence,
      confidenceReason: 'how much context the answers need is not visible from token counts; the target is twice the org median',
    }));
  }
  return out;
}
