/**
 * How each provider caches prompt prefixes: the smallest prefix it caches,
 * the step cached lengths come in, and whether caching is automatic (OpenAI,
 * Gemini implicit caching) or needs a `cache_control` breakpoint (Anthropic).
 * Where sources disagree the larger minimum is used, so a recommendation never
 * counts on a cache the provider would not build.
 *
 * Sources (read 2026-11): OpenAI "Prompt Caching 201" cookbook (≥ 1024 tokens,
 * hits in 128-token increments, automatic, no write fee); Anthropic prompt
 * caching docs as quoted in anthropics/anthropic-sdk-python#1194 (1024 Sonnet
 * 4.x / Opus 4.1 / Opus 4; 4096 Opus 4.5 / 4.6 and Haiku 4.5; 2048 Haiku 3.5 /
 * 3) and gateway docs reporting 2048 for Sonnet 4.6; Gemini API caching docs
 * (2048 for 2.5 Flash / Pro, 4096 for 3.x).
 */
import { canonicalProvider, normaliseModel } from '@tokenmeter/instrumentation/pricing';

export interface CacheRule {
  /** Smallest prefix, in tokens, the provider caches. */
  minTokens: number;
  /** Cached lengths are multiples of this (1 = the whole prefix). */
  stepTokens: number;
  /** Cached without any change to the request (only a stable prefix is needed). */
  automatic: boolean;
}

const ANTHROPIC: ReadonlyArray<[RegExp, number]> = [
  [/^claude-3-(5-)?haiku/, 2048],
  [/^claude-haiku-4-5/, 4096],
  [/^claude-opus-4-[5-9]/, 4096],
  [/^claude-sonnet-4-6/, 2048],
  [/^claude-(opus-4|sonnet-4|3-7-sonnet|3-5-sonnet|3-opus|opus-4-1)/, 1024],
];
/** Anthropic models not listed (the Claude 5 family and later): the largest published minimum, until documented. */
const ANTHROPIC_UNLISTED = 4096;

const GOOGLE: ReadonlyArray<[RegExp, number]> = [
  [/^gemini-2\.5-/, 2048],
  [/^gemini-[3-9]/, 4096],
];

/** The caching rule of a provider's model. */
export function cacheRule(provider: string, model: string): CacheRule {
  const p = canonicalProvider(provider, model);
  const m = normaliseModel(model);
  if (p === 'anthropic') {
    const hit = ANTHROPIC.find(([re]) => re.test(m));
    return { minTokens: hit ? hit[1] : ANTHROPIC_UNLISTED, stepTokens: 1, automatic: false };
  }
  if (p === 'openai') return { minTokens: 1024, stepTokens: 128, automatic: true };
  if (p === 'google') {
    const hit = GOOGLE.find(([re]) => re.test(m));
    return { minTokens: hit ? hit[1] : 4096, stepTokens: 1, automatic: true };
  }
  return { minTokens: 1024, stepTokens: 1, automatic: true };
}

/** Tokens of a prefix of `tokens` the provider would cache (0 below the minimum). */
export function cacheableTokens(rule: CacheRule, tokens: number): number {
  if (tokens < rule.minTokens) return 0;
  return Math.floor(tokens / rule.stepTokens) * rule.stepTokens;
}
