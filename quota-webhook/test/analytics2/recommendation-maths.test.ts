/**
 * The savings maths of every recommendation type against the bundled price
 * catalog, each figure computed by hand from the list prices in the comments.
 */
import { PriceCatalog, formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import { describe, expect, it } from 'vitest';
import { detectBatching, scheduleOf } from '../../src/analytics/recommendations/batching.js';
import { cacheRule, cacheableTokens } from '../../src/analytics/recommendations/cache-rules.js';
import { detectCaching, prefixSavings } from '../../src/analytics/recommendations/caching.js';
import { MONTH_MS, monthly, recommendationId } from '../../src/analytics/recommendations/common.js';
import { detectFailedSpend } from '../../src/analytics/recommendations/failed-spend.js';
import { detectModelSelection } from '../../src/analytics/recommendations/model-selection.js';
import { cheaperModel, modelSteps } from '../../src/analytics/recommendations/model-tiers.js';
import { detectDuplicates, detectInputHeavy, detectTruncation } from '../../src/analytics/recommendations/prompt-efficiency.js';
import { grewSubstantially } from '../../src/analytics/recommendations/rank.js';
import { modelRates } from '../../src/analytics/recommendations/rates.js';
import type { DetectorContext, HourStats, PrefixStats, SubjectStats } from '../../src/analytics/recommendations/types.js';

const catalog = PriceCatalog.bundled();
const AS_OF = Date.parse('2026-11-20T00:00:00Z');
const DAY = 86_400_000;

function ctx(over: Partial<DetectorContext> = {}): DetectorContext {
  return { catalog, asOfMs: AS_OF, fromMs: AS_OF - 30 * DAY, toMs: AS_OF, localHour: (h) => h, batchable: new Set(), ...over };
}

const usd = (s: string): bigint => parseUsd(s);
const key = (provider: string, model: string, feature = 'f') => ({ org: 'acme', feature, service: null, provider, model });

function prefixGroup(over: Partial<PrefixStats>): PrefixStats {
  return { ...key('anthropic', 'claude-sonnet-4-5'), prefixHash: 'aa', requests: 600, windows5m: 120, windows1h: 10, prefixTokens: 600 * 6000, input: 600 * 6200, cacheRead: 0, cacheWrite: 0, ...over };
}

function stats(over: Partial<SubjectStats>): SubjectStats {
  const zero = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
  return { ...key('anthropic', 'claude-sonnet-4-5'), ...zero, requests: 0, withFinish: 0, toolCalls: 0, errors: 0, errorTokens: zero, ...over };
}

describe('prompt caching savings', () => {
  it('Anthropic (Sonnet 4.5: input $3, 5-minute write $3.75, 1-hour write $6, read $0.30 per M)', () => {
    const r = modelRates(catalog, 'anthropic', 'claude-sonnet-4-5', AS_OF)!;
    const s = prefixSavings(prefixGroup({}), r)!;
    // 600 calls × 6,000 prefix tokens = 3.6 M tokens, all billed as input now: $10.80.
    expect(s.cacheableTokens).toBe(3_600_000n);
    expect(s.currentPico).toBe(usd('10.8'));
    expect(s.plans.none).toBe(usd('10.8'));
    // 5 minutes: 120 cold starts write 720 k tokens ($2.70), 2.88 M read ($0.864).
    expect(s.plans['5m']).toBe(usd('3.564'));
    // 1 hour: 10 cold starts write 60 k tokens at $6 ($0.36), 3.54 M read ($1.062).
    expect(s.plans['1h']).toBe(usd('1.422'));
    expect(s.best).toBe('1h');
    expect(s.savingsPico).toBe(usd('9.378'));
  });

  it('OpenAI (GPT-5.4: input $2.50, cached input $0.25; no write fee; 128-token steps)', () => {
    const r = modelRates(catalog, 'openai', 'gpt-5.4', AS_OF)!;
    const s = prefixSavings(prefixGroup({ provider: 'openai', model: 'gpt-5.4' }), r)!;
    // 6,000 tokens cache as 46 steps of 128 = 5,888 per call; × 600 = 3,532,800.
    expect(s.cacheableTokens).toBe(3_532_800n);
    expect(s.currentPico).toBe(usd('8.832'));
    // 120 cold starts at input (706,560 × $2.50 = $1.7664) + 2,826,240 read × $0.25 = $0.70656.
    expect(s.plans['5m']).toBe(usd('2.47296'));
    expect(s.plans['1h']).toBeUndefined();
    expect(s.savingsPico).toBe(usd('6.35904'));
  });

  it('a cache write that is never read costs 1.25× input: removing the breakpoint saves 0.25× input', () => {
    const r = modelRates(catalog, 'anthropic', 'claude-sonnet-4-5', AS_OF)!;
    // 100 calls, each more than an hour apart, each writing its 6,000-token prefix.
    const s = prefixSavings(prefixGroup({ requests: 100, windows5m: 100, windows1h: 100, prefixTokens: 600_000, cacheWrite: 600_000 }), r)!;
    expect(s.currentPico).toBe(usd('2.25'));
    expect(s.best).toBe('none');
    expect(s.savingsPico).toBe(usd('0.45'));
    const [rec] = detectCaching(ctx(), [prefixGroup({ requests: 100, windows5m: 100, windows1h: 100, prefixTokens: 600_000, cacheWrite: 600_000 })]);
    expect(rec!.kind).toBe('unread_cache_writes');
    expect(rec!.action).toMatch(/Remove the cache_control breakpoint/);
  });

  it('respects the minimum cacheable prefix of each model', () => {
    expect(cacheRule('anthropic', 'claude-haiku-4-5-20251001').minTokens).toBe(4096);
    expect(cacheRule('anthropic', 'claude-sonnet-4-5').minTokens).toBe(1024);
    expect(cacheRule('anthropic', 'claude-3-5-haiku-20241022').minTokens).toBe(2048);
    expect(cacheRule('azure.ai.openai', 'gpt-4o').minTokens).toBe(1024);
    expect(cacheableTokens(cacheRule('openai', 'gpt-4o'), 1023)).toBe(0);
    expect(cacheableTokens(cacheRule('openai', 'gpt-4o'), 1300)).toBe(1280);
    const haiku = modelRates(catalog, 'anthropic', 'claude-haiku-4-5', AS_OF)!;
    expect(prefixSavings(prefixGroup({ model: 'claude-haiku-4-5', prefixTokens: 600 * 3000 }), haiku)).toBeUndefined();
    expect(detectCaching(ctx(), [prefixGroup({ model: 'claude-haiku-4-5', prefixTokens: 600 * 3000 })])).toEqual([]);
  });

  it('one recommendation per subject, summing its prefixes, scaled to a month', () => {
    const recs = detectCaching(ctx(), [prefixGroup({}), prefixGroup({ prefixHash: 'bb' })]);
    expect(recs).toHaveLength(1);
    expect(recs[0]!.windowSavingsPico).toBe(2n * usd('9.378'));
    // 30-day window → × 2,629,746,000 / 2,592,000,000.
    expect(recs[0]!.monthlySavingsPico).toBe((2n * usd('9.378') * BigInt(MONTH_MS) * 2n + BigInt(30 * DAY)) / (BigInt(30 * DAY) * 2n));
    expect(recs[0]!.evidence).toMatchObject({ requests: 1200, repeated_prefixes: 2, plan: '1h', cache_hit_rate: 0 });
    expect(recs[0]!.difficulty).toBe('low');
  });
});

describe('batching savings (Batch tier = half of every rate)', () => {
  const hours = (spread: number[], over: Partial<HourStats> = {}): HourStats[] => spread.map((h) => ({
    ...key('openai', 'gpt-5.4', 'nightly-report'), hourUtc: h, interactive: false, requests: 10, input: 100_000, output: 10_000, cache_read: 0, cache_write: 0, reasoning: 0, ...over,
  }));

  it('a nightly job: 1 M input + 100 k output on GPT-5.4 costs $4.00, $2.00 at batch rates', () => {
    const recs = detectBatching(ctx(), hours([1, 1, 2, 2, 2, 3, 3, 3, 3, 3]));
    expect(recs).toHaveLength(1);
    expect(recs[0]!.kind).toBe('nightly_job');
    expect(recs[0]!.windowSavingsPico).toBe(usd('2'));
    expect(recs[0]!.evidence).toMatchObject({ busiest_local_hours: [1, 2, 3], share_in_busiest_hours: 1 });
  });

  it('reads hours in the request\'s time zone', () => {
    const recs = detectBatching(ctx({ localHour: (h) => (h + 9) % 24 }), hours([1, 1, 2, 2, 2, 3, 3, 3, 3, 3]));
    expect(recs[0]!.kind).toBe('scheduled_job');
    expect(recs[0]!.evidence).toMatchObject({ busiest_local_hours: [10, 11, 12] });
  });

  it('traffic spread over the day is not a job; interactive traffic only counts when an admin marks the feature', () => {
    expect(detectBatching(ctx(), hours([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]))).toEqual([]);
    expect(scheduleOf(Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? 1 : 0))).share).toBeCloseTo(0.4);
    const interactive = hours([8, 9, 10, 11, 12, 13, 14, 15, 16, 17], { interactive: true });
    expect(detectBatching(ctx(), interactive)).toEqual([]);
    const marked = detectBatching(ctx({ batchable: new Set(['nightly-report']) }), interactive);
    expect(marked[0]!.kind).toBe('marked_batchable');
    expect(marked[0]!.windowSavingsPico).toBe(usd('2'));
    expect(marked[0]!.confidence).toBe('high');
  });

  it('a model without a batch tier gets no batching recommendation', () => {
    const mistral = modelRates(catalog, 'mistral', 'mistral-small', AS_OF)!;
    expect(mistral.base.input).toBe(100_000n);
    expect(mistral.batch).toBeUndefined();
    expect(detectBatching(ctx(), hours([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { provider: 'mistral', model: 'mistral-small' }))).toEqual([]);
  });
});

describe('model selection savings (tokens held constant)', () => {
  it('simple Sonnet 4.5 traffic → Haiku 4.5: 1 M in + 100 k out = $4.50 vs $1.50', () => {
    const s = stats({ requests: 1000, input: 1_000_000, output: 100_000, withFinish: 1000 });
    const [rec] = detectModelSelection(ctx(), [s]);
    expect(rec!.evidence).toMatchObject({ cheaper_model: 'claude-haiku-4-5', cost_at_current_rates_usd: '4.5', cost_at_cheaper_rates_usd: '1.5' });
    expect(rec!.windowSavingsPico).toBe(usd('3'));
    expect(rec!.difficulty).toBe('high');
    expect(rec!.confidence).toBe('high');
  });

  it('long answers, reasoning or tool calls are not "simple"', () => {
    expect(detectModelSelection(ctx(), [stats({ requests: 100, input: 100_000, output: 100_000, withFinish: 100 })])).toEqual([]);
    expect(detectModelSelection(ctx(), [stats({ requests: 100, input: 100_000, output: 5_000, reasoning: 1_000, withFinish: 100 })])).toEqual([]);
    expect(detectModelSelection(ctx(), [stats({ requests: 100, input: 100_000, output: 5_000, withFinish: 100, toolCalls: 30 })])).toEqual([]);
    expect(detectModelSelection(ctx(), [stats({ model: 'claude-haiku-4-5', requests: 100, input: 100_000, output: 5_000, withFinish: 100 })])).toEqual([]);
  });

  it('every step of the family table goes to a cheaper model the catalog prices', () => {
    const at = Date.parse('2026-11-23T00:00:00Z');
    for (const step of modelSteps()) {
      const from = modelRates(catalog, step.provider, step.from, at);
      const to = modelRates(catalog, step.provider, step.to, at);
      expect(from, `${step.provider}/${step.from}`).toBeDefined();
      expect(to, `${step.provider}/${step.to}`).toBeDefined();
      expect(to!.base.input < from!.base.input && to!.base.output < from!.base.output, `${step.from} → ${step.to}`).toBe(true);
    }
    expect(cheaperModel('anthropic', 'claude-sonnet-4-5-20250929')).toBe('claude-haiku-4-5');
    expect(cheaperModel('aws.bedrock', 'us.anthropic.claude-opus-4-5-20251101-v1:0')).toBe('claude-sonnet-4-5');
  });
});

describe('prompt efficiency and failed spend', () => {
  it('duplicates: the repeats\' tokens at today\'s rates (GPT-5.4: 200 k in × $2.50 + 20 k out × $15 = $0.80)', () => {
    const [rec] = detectDuplicates(ctx(), [{ ...key('openai', 'gpt-5.4'), duplicates: 100, repeatedRequests: 40, tokens: { input: 200_000, output: 20_000, cache_read: 0, cache_write: 0, reasoning: 0 } }]);
    expect(rec!.windowSavingsPico).toBe(usd('0.8'));
    expect(rec!.kind).toBe('duplicate_requests');
  });

  it('truncated retries: the thrown-away calls\' tokens', () => {
    const [rec] = detectTruncation(ctx(), [{ ...key('openai', 'gpt-5.4'), truncated: 30, wasted: 25, meanMaxOutputTokens: 256, tokens: { input: 100_000, output: 6_400, cache_read: 0, cache_write: 0, reasoning: 0 } }]);
    // 100 k × $2.50 + 6,400 × $15 = $0.25 + $0.096.
    expect(rec!.windowSavingsPico).toBe(usd('0.346'));
    expect(rec!.action).toMatch(/about 256 tokens/);
  });

  it('input-heavy traffic: uncached input beyond twice the median ratio', () => {
    const typical = [1, 2, 3].map((i) => stats({ feature: `t${i}`, model: 'claude-sonnet-4-5', requests: 100, input: 10 * 10_000, output: 10_000 }));
    const heavy = stats({ feature: 'heavy', requests: 100, input: 1_000_000, output: 10_000 });
    const recs = detectInputHeavy(ctx(), [...typical, heavy]);
    expect(recs.map((r) => r.subject.name)).toEqual(['heavy']);
    // median ratio of 10, 10, 10, 100 = 10; target 20 × 10 k = 200 k; excess 800 k × $3 = $2.40.
    expect(recs[0]!.windowSavingsPico).toBe(usd('2.4'));
    expect(recs[0]!.confidence).toBe('low');
  });

  it('failed spend: tokens billed on errors', () => {
    const [rec] = detectFailedSpend(ctx(), [stats({ requests: 100, errors: 12, topErrorType: 'timeout', errorTokens: { input: 120_000, output: 12_000, cache_read: 0, cache_write: 0, reasoning: 0 } })]);
    // 120 k × $3 + 12 k × $15 = $0.36 + $0.18.
    expect(rec!.windowSavingsPico).toBe(usd('0.54'));
    expect(rec!.action).toMatch(/timeout/);
    expect(rec!.confidence).toBe('high');
  });
});

describe('ids, monthly scaling and dismissals', () => {
  it('ids are stable per (type, finding, subject) and differ between subjects', () => {
    const a = recommendationId('prompt_caching', 'enable_caching', key('openai', 'gpt-5.4'));
    expect(recommendationId('prompt_caching', 'enable_caching', key('openai', 'gpt-5.4'))).toBe(a);
    expect(recommendationId('prompt_caching', 'enable_caching', key('openai', 'gpt-5.4', 'other'))).not.toBe(a);
    expect(a).toMatch(/^rec_[0-9a-f]{20}$/);
  });

  it('scales window savings to the average month', () => {
    expect(formatUsd(monthly(usd('1'), MONTH_MS))).toBe('1');
    expect(formatUsd(monthly(usd('1'), 2 * MONTH_MS))).toBe('0.5');
    expect(monthly(3n, 2 * MONTH_MS)).toBe(2n); // 1.5 rounds half up
  });

  it('a dismissed recommendation returns only at ≥ 1.5× and ≥ +10 USD a month', () => {
    expect(grewSubstantially(usd('100'), usd('149.99'))).toBe(false);
    expect(grewSubstantially(usd('100'), usd('150'))).toBe(true);
    expect(grewSubstantially(usd('2'), usd('11.99'))).toBe(false);
    expect(grewSubstantially(usd('2'), usd('12'))).toBe(true);
    expect(grewSubstantially(0n, usd('9'))).toBe(false);
  });
});
