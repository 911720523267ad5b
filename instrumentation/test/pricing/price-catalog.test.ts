import { describe, expect, it } from 'vitest';
import { PriceCatalog, PriceCatalogError, PRICE_MEMO_LIMIT } from '../../src/pricing/index.js';
import type { PriceCall, PriceEntry } from '../../src/pricing/index.js';
import type { TokenUsage } from '../../src/protocol.js';

const T = Date.parse('2026-11-15T12:00:00Z');

function entry(overrides: Partial<PriceEntry> & Pick<PriceEntry, 'id' | 'model_pattern'>): PriceEntry {
  return {
    provider: 'acme',
    match: 'exact',
    effective_from: '2026-01-01',
    source: 'admin',
    currency: 'USD',
    prices: { input: '1', output: '2' },
    ...overrides,
  };
}

function tokens(t: Partial<TokenUsage>): TokenUsage {
  return { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, ...t };
}

function call(model: string, t: Partial<TokenUsage>, extra: Partial<PriceCall> = {}): PriceCall {
  return { provider: 'acme', model, timeMs: T, tokens: tokens(t), ...extra };
}

const FULL = entry({
  id: 'full',
  model_pattern: 'full-model',
  prices: { input: '3', output: '15', cache_read: '0.30', cache_write: '3.75', cache_write_1h: '6', reasoning: '20' },
});

describe('PriceCatalog.price: each token type priced once, exactly', () => {
  const catalog = new PriceCatalog([FULL]);

  it.each([
    ['input', { input: 1 }, 3_000_000n],
    ['output', { output: 1 }, 15_000_000n],
    ['cache_read', { cache_read: 1 }, 300_000n],
    ['cache_write (5 minutes)', { cache_write: 1 }, 3_750_000n],
    ['reasoning', { reasoning: 1 }, 20_000_000n],
  ] as const)('prices one %s token', (_name, t, pico) => {
    const result = catalog.price(call('full-model', t));
    expect(result).toEqual({ priced: true, costPicoUsd: pico, costUsd: Number(pico) / 1e12, priceId: 'full' });
  });

  it('prices 1-hour cache writes at their own rate', () => {
    const result = catalog.price(call('full-model', { cache_write: 10 }, { cacheWrite1hTokens: 4 }));
    expect(result.costPicoUsd).toBe(6n * 3_750_000n + 4n * 6_000_000n);
  });

  it('sums an Anthropic-style usage (input excludes cache reads and writes)', () => {
    // usage: input_tokens 1200, cache_read_input_tokens 50000, cache_creation_input_tokens 3000 (1000 of them 1h), output_tokens 800
    const result = catalog.price(call('full-model', { input: 1200, cache_read: 50_000, cache_write: 3000, output: 800 }, { cacheWrite1hTokens: 1000 }));
    expect(result.costPicoUsd).toBe(1200n * 3_000_000n + 50_000n * 300_000n + 2000n * 3_750_000n + 1000n * 6_000_000n + 800n * 15_000_000n);
    expect(result.costPicoUsd).toBe(44_100_000_000n); // $0.0441
  });

  it('sums an OpenAI-style usage (prompt 10000 incl. 6000 cached; completion 900 incl. 600 reasoning)', () => {
    const openai = new PriceCatalog([entry({ id: 'o', provider: 'openai', model_pattern: 'gpt-x', prices: { input: '1.25', cache_read: '0.125', output: '10' } })]);
    const result = openai.price({ provider: 'openai', model: 'gpt-x', timeMs: T, tokens: tokens({ input: 4000, cache_read: 6000, output: 300, reasoning: 600 }) });
    // 4000 × 1.25 + 6000 × 0.125 + (300 + 600) × 10, per million
    expect(result.costPicoUsd).toBe(5_000_000_000n + 750_000_000n + 9_000_000_000n);
    expect(result.costUsd).toBe(0.01475);
  });

  it('stays exact for very large token counts', () => {
    const result = catalog.price(call('full-model', { input: Number.MAX_SAFE_INTEGER }));
    expect(result.costPicoUsd).toBe(BigInt(Number.MAX_SAFE_INTEGER) * 3_000_000n);
  });

  it('is exact on both sides of 2^53 pico-USD (number fast path vs bigint path)', () => {
    const micro = new PriceCatalog([entry({ id: 'micro', model_pattern: 'micro', prices: { input: '0.000001', output: '0.000001' } })]);
    const below = micro.price(call('micro', { input: Number.MAX_SAFE_INTEGER }));
    const above = micro.price(call('micro', { input: Number.MAX_SAFE_INTEGER, output: 2 }));
    expect(below.costPicoUsd).toBe(9_007_199_254_740_991n);
    expect(above.costPicoUsd).toBe(9_007_199_254_740_993n);
    expect(above.costUsd).toBeCloseTo(9007.199254740992, 9);
  });

  it('rejects token counts that are not non-negative integers, naming the field', () => {
    expect(() => catalog.price(call('full-model', { output: 1.5 }))).toThrow('tokens.output must be a non-negative integer, got 1.5');
    expect(() => catalog.price(call('full-model', { input: -1 }))).toThrow('tokens.input must be a non-negative integer, got -1');
    expect(() => catalog.price(call('full-model', { cache_read: Number.NaN }))).toThrow('tokens.cache_read must be a non-negative integer, got NaN');
    expect(() => catalog.price(call('full-model', { cache_write: 1 }, { cacheWrite1hTokens: 2 }))).toThrow('cacheWrite1hTokens (2) exceeds tokens.cache_write (1)');
  });
});

describe('fallbacks for missing rates', () => {
  const catalog = new PriceCatalog([entry({ id: 'bare', model_pattern: 'bare', prices: { input: '4', output: '8' } }),
    entry({ id: 'five-min', model_pattern: 'five-min', prices: { input: '4', output: '8', cache_write: '5' } })]);

  it('cache_read → input, cache_write → input, reasoning → output', () => {
    expect(catalog.price(call('bare', { cache_read: 1 })).costPicoUsd).toBe(4_000_000n);
    expect(catalog.price(call('bare', { cache_write: 1 })).costPicoUsd).toBe(4_000_000n);
    expect(catalog.price(call('bare', { reasoning: 1 })).costPicoUsd).toBe(8_000_000n);
  });

  it('cache_write_1h → cache_write', () => {
    expect(catalog.price(call('five-min', { cache_write: 2 }, { cacheWrite1hTokens: 1 })).costPicoUsd).toBe(10_000_000n);
  });
});

describe('unpriced calls', () => {
  const catalog = new PriceCatalog([FULL]);

  it('an unknown model, provider or missing model is unpriced, never a silent $0', () => {
    const unpriced = { priced: false, costPicoUsd: 0n, costUsd: 0 };
    expect(catalog.price(call('no-such-model', { input: 100 }))).toEqual(unpriced);
    expect(catalog.price({ ...call('full-model', { input: 100 }), provider: 'other' })).toEqual(unpriced);
    expect(catalog.price({ ...call('full-model', { input: 100 }), model: undefined })).toEqual(unpriced);
    expect(catalog.price({ ...call('full-model', { input: 100 }), model: '' })).toEqual(unpriced);
  });

  it('a call before any entry took effect is unpriced', () => {
    expect(catalog.price(call('full-model', { input: 1 }, { timeMs: Date.parse('2025-12-31T23:59:59.999Z') })).priced).toBe(false);
    expect(catalog.price(call('full-model', { input: 1 }, { timeMs: Date.parse('2026-01-01T00:00:00Z') })).priced).toBe(true);
  });
});

describe('precedence: org override > admin global > bundled', () => {
  const bundled = entry({ id: 'b', model_pattern: 'm', source: 'bundled', prices: { input: '1', output: '1' }, source_url: 'https://example.com/p', as_of: '2026-01-01' });
  const admin = entry({ id: 'a', model_pattern: 'm', source: 'admin', prices: { input: '2', output: '2' } });
  const org = entry({ id: 'o', model_pattern: 'm', source: 'admin', org: 'acme-corp', prices: { input: '3', output: '3' } });
  const catalog = new PriceCatalog([bundled]).withEntries([admin, org]);

  it('picks the org override for that org only', () => {
    expect(catalog.price(call('m', { input: 1 }, { org: 'acme-corp' })).priceId).toBe('o');
    expect(catalog.price(call('m', { input: 1 }, { org: 'other-corp' })).priceId).toBe('a');
    expect(catalog.price(call('m', { input: 1 })).priceId).toBe('a');
  });

  it('falls back to bundled without admin prices', () => {
    expect(new PriceCatalog([bundled]).price(call('m', { input: 1 }, { org: 'acme-corp' })).priceId).toBe('b');
  });

  it('falls through to the next layer when the higher layer has no price at that time', () => {
    const later = entry({ id: 'o-later', model_pattern: 'm', org: 'acme-corp', effective_from: '2026-12-01', prices: { input: '9', output: '9' } });
    const c = new PriceCatalog([bundled, admin, later]);
    expect(c.price(call('m', { input: 1 }, { org: 'acme-corp' })).priceId).toBe('a');
    expect(c.price(call('m', { input: 1 }, { org: 'acme-corp', timeMs: Date.parse('2026-12-02') })).priceId).toBe('o-later');
  });

  it('an admin regex beats a bundled exact name', () => {
    const adminRegex = entry({ id: 'a-re', model_pattern: 'm|n', match: 'regex', prices: { input: '5', output: '5' } });
    expect(new PriceCatalog([bundled, adminRegex]).price(call('m', { input: 1 })).priceId).toBe('a-re');
  });
});

describe('effective dates', () => {
  const old = entry({ id: 'v1', model_pattern: 'm', effective_from: '2026-10-01', prices: { input: '10', output: '40' } });
  const cut = entry({ id: 'v2', model_pattern: 'm', effective_from: '2026-10-15T00:00:00Z', prices: { input: '2', output: '8' } });
  const catalog = new PriceCatalog([old, cut]);

  it('prices calls before and after a mid-month change at their own price', () => {
    const before = catalog.price(call('m', { input: 1000 }, { timeMs: Date.parse('2026-10-14T23:59:59.999Z') }));
    const after = catalog.price(call('m', { input: 1000 }, { timeMs: Date.parse('2026-10-15T00:00:00Z') }));
    expect([before.priceId, before.costPicoUsd]).toEqual(['v1', 10_000_000_000n]);
    expect([after.priceId, after.costPicoUsd]).toEqual(['v2', 2_000_000_000n]);
  });

  it('honours date-times with offsets', () => {
    const c = new PriceCatalog([old, entry({ id: 'v3', model_pattern: 'm', effective_from: '2026-11-01T09:00:00+02:00', prices: { input: '3', output: '3' } })]);
    expect(c.price(call('m', { input: 1 }, { timeMs: Date.parse('2026-11-01T06:59:59Z') })).priceId).toBe('v1');
    expect(c.price(call('m', { input: 1 }, { timeMs: Date.parse('2026-11-01T07:00:00Z') })).priceId).toBe('v3');
  });

  it('effective_to is exclusive; after it the older open-ended entry applies again, or nothing', () => {
    const promo = entry({ id: 'promo', model_pattern: 'm', effective_from: '2026-11-01', effective_to: '2026-11-08', prices: { input: '0.5', output: '0.5' } });
    const c = new PriceCatalog([old, promo]);
    expect(c.price(call('m', { input: 1 }, { timeMs: Date.parse('2026-11-07T23:59:59Z') })).priceId).toBe('promo');
    expect(c.price(call('m', { input: 1 }, { timeMs: Date.parse('2026-11-08T00:00:00Z') })).priceId).toBe('v1');
    const alone = new PriceCatalog([promo]);
    expect(alone.price(call('m', { input: 1 }, { timeMs: Date.parse('2026-11-08T00:00:00Z') })).priced).toBe(false);
  });

  it('resolve() reports the entry that would apply', () => {
    expect(catalog.resolve('acme', 'm', Date.parse('2026-10-20'))?.id).toBe('v2');
    expect(catalog.resolve('acme', 'm', Date.parse('2026-09-20'))).toBeUndefined();
  });
});

describe('tiers', () => {
  const long = entry({
    id: 'long',
    model_pattern: 'long-model',
    prices: { input: '3', output: '15', cache_read: '0.30', cache_write: '3.75' },
    tiers: [
      { name: 'long-context', when: { min_input_tokens: 200_001 }, prices: { input: '6', output: '22.50', cache_read: '0.60', cache_write: '7.50' } },
      { name: 'batch', when: { service_tier: 'batch' }, prices: { input: '1.5', output: '7.5' } },
      { name: 'batch-long', when: { service_tier: 'batch', min_input_tokens: 200_001 }, prices: { input: '3', output: '11.25' } },
    ],
  });
  const catalog = new PriceCatalog([long]);

  it('exactly 200,000 input tokens (input + cache read + cache write) stays on the base rates', () => {
    const result = catalog.price(call('long-model', { input: 100_000, cache_read: 90_000, cache_write: 10_000, output: 1000 }));
    expect(result.tier).toBeUndefined();
    expect(result.costPicoUsd).toBe(100_000n * 3_000_000n + 90_000n * 300_000n + 10_000n * 3_750_000n + 1000n * 15_000_000n);
  });

  it('200,001 input tokens switch every rate to the long-context tier', () => {
    const result = catalog.price(call('long-model', { input: 100_001, cache_read: 90_000, cache_write: 10_000, output: 1000 }));
    expect(result.tier).toBe('long-context');
    expect(result.costPicoUsd).toBe(100_001n * 6_000_000n + 90_000n * 600_000n + 10_000n * 7_500_000n + 1000n * 22_500_000n);
  });

  it('service tiers select their rates, combined conditions win when both hold', () => {
    expect(catalog.price(call('long-model', { input: 10 }, { serviceTier: 'batch' }))).toMatchObject({ tier: 'batch', costPicoUsd: 15_000_000n });
    expect(catalog.price(call('long-model', { input: 300_000 }, { serviceTier: 'BATCH' }))).toMatchObject({ tier: 'batch-long', costPicoUsd: 900_000_000_000n });
  });

  it('default, auto and unknown service tiers use the base rates', () => {
    for (const serviceTier of ['default', 'auto', 'standard', 'scale']) {
      const result = catalog.price(call('long-model', { input: 10 }, { serviceTier }));
      expect([result.tier, result.costPicoUsd]).toEqual([undefined, 30_000_000n]);
    }
  });

  it('a tier without optional rates uses its own input/output for them', () => {
    expect(catalog.price(call('long-model', { cache_read: 10, reasoning: 10 }, { serviceTier: 'batch' })).costPicoUsd).toBe(10n * 1_500_000n + 10n * 7_500_000n);
  });
});

describe('model names and provider aliases', () => {
  const catalog = new PriceCatalog([
    entry({ id: 'gpt', provider: 'openai', model_pattern: 'gpt-4o', prices: { input: '2.5', output: '10' } }),
    entry({ id: 'gpt-old', provider: 'openai', model_pattern: 'gpt-4o-2024-05-13', prices: { input: '5', output: '15' } }),
    entry({ id: 'claude', provider: 'anthropic', model_pattern: 'claude-sonnet-4-5', prices: { input: '3', output: '15' } }),
    entry({ id: 'gemini', provider: 'google', model_pattern: 'gemini-2.5-pro', prices: { input: '1.25', output: '10' } }),
    entry({ id: 'mistral', provider: 'mistral', model_pattern: 'mistral-medium(?:-2505|-2508)?', match: 'regex', prices: { input: '0.4', output: '2' } }),
    entry({ id: 'azure-own', provider: 'azure.ai.openai', model_pattern: 'gpt-4o-mini', prices: { input: '0.2', output: '0.8' } }),
  ]);
  const priceId = (provider: string, model: string): string | undefined => catalog.price({ provider, model, timeMs: T, tokens: tokens({ input: 1 }) }).priceId;

  it('dated ids match their family; a dated id with its own entry keeps it', () => {
    expect(priceId('openai', 'gpt-4o-2024-08-06')).toBe('gpt');
    expect(priceId('openai', 'gpt-4o-2024-05-13')).toBe('gpt-old');
    expect(priceId('openai', 'GPT-4o')).toBe('gpt');
    expect(priceId('anthropic', 'claude-sonnet-4-5-20250929')).toBe('claude');
    expect(priceId('anthropic', 'claude-sonnet-4-5-latest')).toBe('claude');
    expect(priceId('mistral', 'mistral-medium-2508')).toBe('mistral');
    expect(priceId('mistral', 'mistral-medium-latest')).toBe('mistral');
    expect(priceId('mistral', 'mistral-medium-2512')).toBeUndefined();
  });

  it('regexes are anchored', () => {
    expect(priceId('mistral', 'xmistral-medium')).toBeUndefined();
    expect(priceId('mistral', 'mistral-medium-2505-extra')).toBeUndefined();
  });

  it('maps Azure, Bedrock, Vertex and Gemini aliases; an entry for the alias itself wins', () => {
    expect(priceId('azure.ai.openai', 'gpt-4o')).toBe('gpt');
    expect(priceId('az.ai.openai', 'gpt-4o-2024-11-20')).toBe('gpt');
    expect(priceId('azure.ai.openai', 'gpt-4o-mini')).toBe('azure-own');
    expect(priceId('openai', 'gpt-4o-mini')).toBeUndefined();
    expect(priceId('aws.bedrock', 'anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude');
    expect(priceId('aws.bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('claude');
    expect(priceId('gcp.vertex_ai', 'claude-sonnet-4-5@20250929')).toBe('claude');
    expect(priceId('gcp.vertex_ai', 'gemini-2.5-pro')).toBe('gemini');
    expect(priceId('gcp.gemini', 'models/gemini-2.5-pro')).toBe('gemini');
    expect(priceId('mistral_ai', 'mistral-medium-2505')).toBe('mistral');
  });

  it('memoises per catalog; a catalog with new entries sees them immediately', () => {
    expect(priceId('openai', 'gpt-5-nano')).toBeUndefined();
    const updated = catalog.withEntries([entry({ id: 'nano', provider: 'openai', model_pattern: 'gpt-5-nano', prices: { input: '0.05', output: '0.4' } })]);
    expect(updated.price({ provider: 'openai', model: 'gpt-5-nano', timeMs: T, tokens: tokens({ input: 1 }) }).priceId).toBe('nano');
    expect(priceId('openai', 'gpt-5-nano')).toBeUndefined();
  });

  it('keeps pricing correctly after more distinct names than the memo holds', () => {
    const c = new PriceCatalog([entry({ id: 'any', model_pattern: 'm-\\d+', match: 'regex' })]);
    for (let i = 0; i < PRICE_MEMO_LIMIT + 10; i++) expect(c.price(call(`m-${i}`, { input: 1 })).priceId).toBe('any');
    expect(c.price(call('m-0', { input: 1 })).costPicoUsd).toBe(1_000_000n);
  });
});

describe('catalog construction', () => {
  it('refuses invalid entries, duplicate ids and ambiguous starts, listing every problem', () => {
    const bad = { ...entry({ id: 'x', model_pattern: 'm' }), prices: { input: '1.0000001', output: '1' } };
    const build = (): PriceCatalog => new PriceCatalog([bad, entry({ id: 'y', model_pattern: 'm' }), entry({ id: 'y', model_pattern: 'n' }), entry({ id: 'z', model_pattern: 'M' })]);
    expect(build).toThrow(PriceCatalogError);
    try {
      build();
    } catch (error) {
      expect((error as PriceCatalogError).problems).toEqual([
        'entry "x": prices.input: price per million tokens "1.0000001" has 7 fractional digits; at most 6 are allowed',
        'entry "y": id: duplicate id',
        'entry "z": effective_from: same provider, pattern, layer and start as "y"',
      ]);
    }
  });

  it('returns the entries it was given, frozen', () => {
    const catalog = new PriceCatalog([FULL]);
    expect(catalog.entries()).toEqual([FULL]);
    expect(Object.isFrozen(catalog.entries()[0])).toBe(true);
  });
});

describe('regex price patterns cannot stall a process', () => {
  const evil = (pattern: string, id = 'evil'): PriceEntry => ({
    id, provider: 'openai', model_pattern: pattern, match: 'regex', effective_from: '2026-01-01', source: 'admin', currency: 'USD',
    prices: { input: '1', output: '2' },
  });
  const tokens: TokenUsage = { input: 10, output: 1, cache_read: 0, cache_write: 0, reasoning: 0 };

  it('a catastrophic pattern such as (a+)+ matches a long non-matching name at once (RE2, linear time)', () => {
    // With a backtracking engine this call takes longer than any test timeout (2^40 paths).
    const catalog = PriceCatalog.bundled().withEntries([evil('(a+)+'), evil('(x+x+)+y', 'evil2')]);
    const call = { provider: 'openai', model: `${'a'.repeat(40)}b`, timeMs: Date.parse('2026-06-01T00:00:00Z'), tokens };
    expect(catalog.price(call).priced).toBe(false);
    expect(catalog.price({ ...call, model: 'x'.repeat(5000) }).priced).toBe(false);
    expect(catalog.price({ ...call, model: 'aaaa' })).toMatchObject({ priced: true, priceId: 'evil' });
  });

  it('patterns outside RE2 (backreferences, lookaround) and over-long patterns are refused naming the field', () => {
    for (const p of ['(a)\\1', '(?=gpt)gpt-5', 'x'.repeat(513)]) {
      expect(() => PriceCatalog.bundled().withEntries([evil(p)])).toThrow(PriceCatalogError);
      try {
        PriceCatalog.bundled().withEntries([evil(p)]);
      } catch (error) {
        expect((error as Error).message).toMatch(/model_pattern: invalid regular expression/);
      }
    }
  });
});
