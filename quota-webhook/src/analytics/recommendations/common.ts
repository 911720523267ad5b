/** Helpers every detector shares: subject naming, stable ids, monthly scaling and rate look-ups. */
import { createHash } from 'node:crypto';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { modelRates, type ModelRates, type TokenRates, type TokenSums } from './rates.js';
import type { DetectorContext, Recommendation, RecommendationSubject, RecommendationType, SubjectKey } from './types.js';

/** The average Gregorian month (365.2425 / 12 days), in ms: window savings are scaled to it. */
export const MONTH_MS = 2_629_746_000;

/** Window savings scaled to a month, rounded half up to the pico-dollar. */
export function monthly(windowPico: bigint, windowMs: number): bigint {
  if (windowMs <= 0) throw new RangeError('windowMs must be > 0');
  const num = windowPico * BigInt(MONTH_MS);
  const den = BigInt(windowMs);
  return (num * 2n + den) / (den * 2n);
}

/** A subject named by its feature, else its service, else its model. */
export function subjectOf(k: SubjectKey): RecommendationSubject {
  const base = { org: k.org, feature: k.feature, service: k.service, provider: k.provider, model: k.model };
  if (k.feature !== null) return { ...base, scope: 'feature', name: k.feature };
  if (k.service !== null) return { ...base, scope: 'service', name: k.service };
  return { ...base, scope: 'model', name: k.model };
}

export function subjectKeyString(k: SubjectKey): string {
  return [k.org ?? '', k.feature ?? '', k.service ?? '', k.provider, k.model].join('\u0000');
}

/** A recommendation id: the same type, finding and subject give the same id on every request. */
export function recommendationId(type: RecommendationType, kind: string, k: SubjectKey): string {
  const h = createHash('sha256').update(JSON.stringify([type, kind, k.org, k.feature, k.service, k.provider, k.model])).digest('hex');
  return `rec_${h.slice(0, 20)}`;
}

/** Rates of subjects' models at `asOfMs`, looked up once per (provider, model, org). */
export function rateLookup(ctx: DetectorContext): (k: Pick<SubjectKey, 'provider' | 'model' | 'org'>) => ModelRates | undefined {
  const memo = new Map<string, ModelRates | undefined>();
  return (k) => {
    const key = `${k.provider}\u0000${k.model}\u0000${k.org ?? ''}`;
    if (!memo.has(key)) memo.set(key, modelRates(ctx.catalog, k.provider, k.model, ctx.asOfMs, k.org ?? undefined));
    return memo.get(key);
  };
}

/** Rates as decimal USD per million tokens, for the evidence. */
export function ratesEvidence(r: TokenRates, keys: ReadonlyArray<keyof TokenRates> = ['input', 'output', 'cache_read', 'cache_write']): Record<string, string> {
  const out: Record<string, string> = {};
  // pico-USD per token = micro-USD per million tokens.
  for (const k of keys) out[`${k}_usd_per_million`] = formatUsd(r[k] * 1_000_000n);
  return out;
}

export function tokensEvidence(t: TokenSums): Record<string, number> {
  return { input: t.input, output: t.output, cache_read: t.cache_read, cache_write: t.cache_write, reasoning: t.reasoning };
}

export function periodEvidence(ctx: DetectorContext): { from: string; to: string; days: number } {
  return { from: new Date(ctx.fromMs).toISOString(), to: new Date(ctx.toMs).toISOString(), days: Math.round(((ctx.toMs - ctx.fromMs) / 86_400_000) * 1000) / 1000 };
}

/** Fills id, monthly savings and subject from the detector's core fields. */
export function finish(
  ctx: DetectorContext,
  key: SubjectKey,
  r: Omit<Recommendation, 'id' | 'subject' | 'monthlySavingsPico'>,
): Recommendation {
  return {
    ...r,
    id: recommendationId(r.type, r.kind, key),
    subject: subjectOf(key),
    monthlySavingsPico: monthly(r.windowSavingsPico, ctx.toMs - ctx.fromMs),
    evidence: { period: periodEvidence(ctx), ...r.evidence },
  };
}

export function ratio(a: number, b: number, digits = 4): number | null {
  if (b === 0) return null;
  const f = 10 ** digits;
  return Math.round((a / b) * f) / f;
}
