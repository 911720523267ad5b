/**
 * Prompt caching. A prefix (the fingerprint's `prefix_hash`) sent again and
 * again is billed as full-price input unless the provider serves it from its
 * cache. For each repeated prefix the detector prices, at today's rates, what
 * the prefix cost as billed (uncached input, cache reads and cache writes
 * counted against the prefix) and what it would cost under each caching plan:
 *
 * - `none`: every prefix token as input;
 * - `5m`: the first call of each 5-minute bucket writes the prefix (Anthropic
 *   1.25× input; OpenAI and Gemini bill no write premium: the write rate falls
 *   back to input), every other call reads it (OpenAI's cached-input rate,
 *   Anthropic 0.1×);
 * - `1h` (only where the catalog lists a 1-hour write rate: Anthropic 2×):
 *   the same with 1-hour buckets.
 *
 * Savings = as billed − the cheapest plan, summed over the subject's repeated
 * prefixes. Only the part the provider caches counts: nothing below its
 * minimum prefix, and OpenAI caches whole 128-token steps (cache-rules.ts).
 * A cache write never read shows up as a `none` plan cheaper than the bill.
 */
import { cacheRule, cacheableTokens } from './cache-rules.js';
import { finish, rateLookup, ratesEvidence, ratio, subjectKeyString } from './common.js';
import type { ModelRates } from './rates.js';
import type { DetectorContext, Level, PrefixStats, Recommendation, SubjectKey } from './types.js';

export type CachePlan = 'none' | '5m' | '1h';

export interface PrefixSavings {
  /** Prefix tokens the provider would cache, over all calls. */
  cacheableTokens: bigint;
  /** Of those, tokens billed as cache reads, cache writes and plain input now. */
  readTokens: bigint;
  writtenTokens: bigint;
  uncachedTokens: bigint;
  currentPico: bigint;
  plans: Record<CachePlan, bigint | undefined>;
  best: CachePlan;
  bestPico: bigint;
  savingsPico: bigint;
}

/** The maths for one repeated prefix (exported for the known-answer tests). */
export function prefixSavings(g: PrefixStats, rates: ModelRates): PrefixSavings | undefined {
  if (g.requests < 2) return undefined;
  const rule = cacheRule(g.provider, g.model);
  const n = BigInt(g.requests);
  const mean = Math.floor(g.prefixTokens / g.requests);
  const perCall = cacheableTokens(rule, mean);
  if (perCall === 0) return undefined;
  // A whole-prefix cache counts every prefix token; a stepped one the cached steps of the mean prefix.
  const cacheable = rule.stepTokens === 1 ? BigInt(g.prefixTokens) : BigInt(perCall) * n;
  const r = rates.base;
  const read = min(BigInt(g.cacheRead), cacheable);
  const written = min(BigInt(g.cacheWrite), cacheable - read);
  const uncached = cacheable - read - written;
  const current = uncached * r.input + read * r.cache_read + written * r.cache_write;

  const cold = (windows: number): bigint => (cacheable * BigInt(Math.min(windows, g.requests))) / n;
  const cold5 = cold(g.windows5m);
  const plans: Record<CachePlan, bigint | undefined> = {
    none: cacheable * r.input,
    '5m': cold5 * r.cache_write + (cacheable - cold5) * r.cache_read,
    '1h': undefined,
  };
  if (rates.hasCacheWrite1h) {
    const cold1h = cold(g.windows1h);
    plans['1h'] = cold1h * r.cache_write_1h + (cacheable - cold1h) * r.cache_read;
  }
  let best: CachePlan = 'none';
  for (const plan of ['5m', '1h'] as const) {
    const cost = plans[plan];
    if (cost !== undefined && cost < plans[best]!) best = plan;
  }
  const bestPico = plans[best]!;
  return {
    cacheableTokens: cacheable, readTokens: read, writtenTokens: written, uncachedTokens: uncached,
    currentPico: current, plans, best, bestPico, savingsPico: current > bestPico ? current - bestPico : 0n,
  };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The finding of a prefix: caching never used, writes never read, or caching that could hit more often. */
export function cachingKind(s: PrefixSavings): 'enable_caching' | 'unread_cache_writes' | 'improve_caching' {
  if (s.readTokens === 0n && s.writtenTokens === 0n) return 'enable_caching';
  if (s.writtenTokens > 0n && s.readTokens * 10n < s.writtenTokens) return 'unread_cache_writes';
  return 'improve_caching';
}

interface SubjectAcc {
  key: SubjectKey;
  rates: ModelRates;
  savings: bigint;
  requests: number;
  prefixes: number;
  cacheable: bigint;
  read: bigint;
  written: bigint;
  coldStarts5m: number;
  coldStarts1h: number;
  /** The prefix that saves most decides the finding and the plan. */
  lead: PrefixSavings;
  leadSavings: bigint;
  minTokens: number;
  automatic: boolean;
}

function action(kind: string, best: CachePlan, automatic: boolean): string {
  if (best === 'none') return 'Remove the cache_control breakpoint from this prefix: its cache writes cost more than input and are not read before they expire.';
  const ttl = best === '1h' ? ' with "ttl": "1h" (calls repeat the prefix less often than every 5 minutes)' : '';
  if (automatic) {
    return 'Put the stable part of the prompt (system prompt, tool definitions, examples) first and keep it byte-identical across calls (no timestamps or ids before it); pass a prompt_cache_key so calls that share it reach the same cache.';
  }
  if (kind === 'unread_cache_writes' || kind === 'improve_caching') {
    return `Place the cache_control breakpoint at the end of the stable prefix and keep everything before it byte-identical across calls${ttl}.`;
  }
  return `Mark the end of the stable prefix (system prompt, tool definitions) with a cache_control breakpoint${ttl}.`;
}

/** Caching recommendations, one per subject whose repeated prefixes would cost less cached. */
export function detectCaching(ctx: DetectorContext, groups: readonly PrefixStats[]): Recommendation[] {
  const rates = rateLookup(ctx);
  const acc = new Map<string, SubjectAcc>();
  for (const g of groups) {
    const r = rates(g);
    if (!r || r.base.cache_read >= r.base.input) continue; // no cache discount in the catalog: nothing to gain
    const s = prefixSavings(g, r);
    if (!s || s.savingsPico === 0n) continue;
    const key: SubjectKey = { org: g.org, feature: g.feature, service: g.service, provider: g.provider, model: g.model };
    const k = subjectKeyString(key);
    let a = acc.get(k);
    if (!a) {
      const rule = cacheRule(g.provider, g.model);
      a = { key, rates: r, savings: 0n, requests: 0, prefixes: 0, cacheable: 0n, read: 0n, written: 0n, coldStarts5m: 0, coldStarts1h: 0, lead: s, leadSavings: -1n, minTokens: rule.minTokens, automatic: rule.automatic };
      acc.set(k, a);
    }
    a.savings += s.savingsPico;
    a.requests += g.requests;
    a.prefixes += 1;
    a.cacheable += s.cacheableTokens;
    a.read += s.readTokens;
    a.written += s.writtenTokens;
    a.coldStarts5m += g.windows5m;
    a.coldStarts1h += g.windows1h;
    if (s.savingsPico > a.leadSavings) {
      a.lead = s;
      a.leadSavings = s.savingsPico;
    }
  }
  const out: Recommendation[] = [];
  for (const a of acc.values()) {
    const kind = cachingKind(a.lead);
    const meanPrefix = a.requests === 0 ? 0 : Number(a.cacheable / BigInt(a.requests));
    const confidence: Level = a.requests >= 100 && meanPrefix >= 2 * a.minTokens ? 'high' : a.requests >= 20 ? 'medium' : 'low';
    const title = kind === 'unread_cache_writes'
      ? `Cache writes on ${a.key.model} are not read back`
      : kind === 'improve_caching' ? `Repeated prompt prefix on ${a.key.model} is read from the cache less often than it could be` : `Repeated prompt prefix on ${a.key.model} is not cached`;
    out.push(finish(ctx, a.key, {
      type: 'prompt_caching',
      kind,
      title,
      action: action(kind, a.lead.best, a.automatic),
      evidence: {
        requests: a.requests,
        repeated_prefixes: a.prefixes,
        mean_cacheable_prefix_tokens: meanPrefix,
        min_cacheable_prefix_tokens: a.minTokens,
        cacheable_prefix_tokens: Number(a.cacheable),
        cache_read_tokens: Number(a.read),
        cache_write_tokens: Number(a.written),
        cache_hit_rate: ratio(Number(a.read), Number(a.cacheable)),
        cold_starts_5m: a.coldStarts5m,
        cold_starts_1h: a.coldStarts1h,
        plan: a.lead.best,
        price_id: a.rates.priceId,
        rates: ratesEvidence(a.rates.base, ['input', 'cache_read', 'cache_write', 'cache_write_1h']),
      },
      windowSavingsPico: a.savings,
      difficulty: 'low',
      difficultyReason: a.automatic
        ? 'a change to the order of the prompt and one request parameter; answers do not change'
        : 'one cache_control marker in the request; answers do not change',
      confidence,
      confidenceReason: confidence === 'high'
        ? `${a.requests} calls, and the prefix is well above the ${a.minTokens}-token minimum even allowing for the fingerprint's size estimate`
        : `${a.requests} calls; the prefix size is the SDK's estimate and hits depend on the calls' spacing`,
    }));
  }
  return out;
}
