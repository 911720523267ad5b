import { describe, expect, it } from 'vitest';
import { bundledPrices, formatUsd, parseInstant, PriceCatalog, validatePriceEntry } from '../../src/pricing/index.js';
import type { PriceEntry } from '../../src/pricing/index.js';
import type { TokenUsage } from '../../src/protocol.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const PROVIDER_HOSTS: Record<string, string> = {
  openai: 'openai.com',
  anthropic: 'claude.com',
  google: 'ai.google.dev',
  mistral: 'mistral.ai',
};

/** Concrete names a regex pattern matches, for the subset of syntax the catalog uses: `a|b` and `(?:x|y)?` groups. */
function expand(pattern: string): string[] {
  const out: string[] = [];
  for (const branch of splitTopLevel(pattern)) {
    const group = /^(.*?)\(\?:([^()]*)\)(\??)(.*)$/.exec(branch);
    if (!group) {
      out.push(branch);
      continue;
    }
    const [, head = '', alternatives = '', optional, tail = ''] = group;
    const options = alternatives.split('|');
    if (optional === '?') options.push('');
    for (const option of options) for (const rest of expand(tail)) out.push(`${head}${option}${rest}`);
  }
  return out;
}

function splitTopLevel(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of pattern) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '|' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function matches(entry: PriceEntry, name: string): boolean {
  if (entry.match === 'exact') return entry.model_pattern.toLowerCase() === name;
  return new RegExp(`^(?:${entry.model_pattern})$`, 'i').test(name);
}

function names(entry: PriceEntry): string[] {
  return entry.match === 'exact' ? [entry.model_pattern.toLowerCase()] : expand(entry.model_pattern);
}

const catalog = PriceCatalog.bundled();
const usage = (t: Partial<TokenUsage>): TokenUsage => ({ input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, ...t });
const cost = (provider: string, model: string, t: Partial<TokenUsage>, extra: { time?: string; serviceTier?: string; cacheWrite1hTokens?: number } = {}): string => {
  const result = catalog.price({
    provider,
    model,
    timeMs: extra.time === undefined ? NOW : Date.parse(extra.time),
    tokens: usage(t),
    ...(extra.serviceTier === undefined ? {} : { serviceTier: extra.serviceTier }),
    ...(extra.cacheWrite1hTokens === undefined ? {} : { cacheWrite1hTokens: extra.cacheWrite1hTokens }),
  });
  if (!result.priced) return 'unpriced';
  return `${formatUsd(result.costPicoUsd)}${result.tier === undefined ? '' : ` (${result.tier})`}`;
};

describe('bundled catalog', () => {
  it('every entry passes validation and is bundled, dated and sourced on its provider\'s site', () => {
    for (const entry of bundledPrices) {
      expect([entry.id, validatePriceEntry(entry)]).toEqual([entry.id, []]);
      expect(entry.source).toBe('bundled');
      expect(entry.org).toBeUndefined();
      expect(new URL(entry.source_url ?? '').hostname.endsWith(PROVIDER_HOSTS[entry.provider] ?? '?')).toBe(true);
      expect(parseInstant(entry.as_of)).toBeLessThanOrEqual(NOW);
    }
    expect(new Set(bundledPrices.map((e) => e.provider))).toEqual(new Set(Object.keys(PROVIDER_HOSTS)));
  });

  it('has no duplicate ids', () => {
    const ids = bundledPrices.map((e) => e.id);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('never has two entries pricing the same model at the same time', () => {
    const conflicts: string[] = [];
    for (const a of bundledPrices) {
      for (const name of names(a)) {
        expect(matches(a, name)).toBe(true);
        for (const b of bundledPrices) {
          if (a === b || a.provider !== b.provider || !matches(b, name)) continue;
          const [aFrom, aTo] = [parseInstant(a.effective_from)!, parseInstant(a.effective_to) ?? Infinity];
          const [bFrom, bTo] = [parseInstant(b.effective_from)!, parseInstant(b.effective_to) ?? Infinity];
          if (aFrom < bTo && bFrom < aTo) conflicts.push(`${name}: ${a.id} and ${b.id}`);
        }
      }
    }
    expect(conflicts).toEqual([]);
  });

  it('prices every entry\'s own model now or at its start', () => {
    for (const entry of bundledPrices) {
      for (const name of names(entry)) {
        const timeMs = Math.max(parseInstant(entry.effective_from)!, Math.min(NOW, (parseInstant(entry.effective_to) ?? Infinity) - 1));
        const result = catalog.price({ provider: entry.provider, model: name, timeMs, tokens: usage({ input: 1 }) });
        expect([name, result.priceId]).toEqual([name, entry.id]);
      }
    }
  });
});

describe('bundled prices of current models', () => {
  const M = 1_000_000;

  it('OpenAI: GPT-5 family, cached input, reasoning as output, service tiers', () => {
    expect(cost('openai', 'gpt-5-2025-08-07', { input: M })).toBe('1.25');
    expect(cost('openai', 'gpt-5', { input: 4000, cache_read: 6000, output: 300, reasoning: 600 })).toBe('0.01475');
    expect(cost('openai', 'gpt-5', { input: M, output: M }, { serviceTier: 'flex' })).toBe('5.625 (flex)');
    expect(cost('openai', 'gpt-5', { input: M, output: M }, { serviceTier: 'batch' })).toBe('5.625 (batch)');
    expect(cost('openai', 'gpt-5', { input: M, output: M }, { serviceTier: 'priority' })).toBe('22.5 (priority)');
    expect(cost('openai', 'gpt-5-mini', { input: M, output: M })).toBe('2.25');
    expect(cost('openai', 'gpt-5-nano', { input: M, output: M })).toBe('0.45');
    expect(cost('openai', 'gpt-5.4', { input: M, cache_read: M, output: M })).toBe('17.75');
    expect(cost('openai', 'gpt-5.5', { input: M, output: M })).toBe('35');
    expect(cost('openai', 'gpt-4.1-2025-04-14', { input: M, output: M })).toBe('10');
    expect(cost('openai', 'gpt-4.1-mini', { input: M, output: M })).toBe('2');
    expect(cost('openai', 'gpt-4o-mini-2024-07-18', { input: M, output: M })).toBe('0.75');
    expect(cost('openai', 'o4-mini', { input: M, output: M })).toBe('5.5');
    expect(cost('openai', 'text-embedding-3-small', { input: M })).toBe('0.02');
    expect(cost('openai', 'text-embedding-3-large', { input: M })).toBe('0.13');
    expect(cost('azure.ai.openai', 'gpt-4.1', { input: M })).toBe('2');
  });

  it('OpenAI: price changes over time (o3 cut, the gpt-4o alias move, a dated snapshot)', () => {
    expect(cost('openai', 'o3', { input: M, output: M }, { time: '2025-06-09T23:59:59Z' })).toBe('50');
    expect(cost('openai', 'o3-2025-04-16', { input: M, output: M }, { time: '2025-06-10T00:00:00Z' })).toBe('10');
    expect(cost('openai', 'gpt-4o', { input: M, output: M }, { time: '2024-09-01' })).toBe('20');
    expect(cost('openai', 'gpt-4o', { input: M, output: M }, { time: '2024-11-01' })).toBe('12.5');
    expect(cost('openai', 'gpt-4o-2024-05-13', { input: M, output: M })).toBe('20');
    expect(cost('openai', 'gpt-5', { input: M }, { time: '2025-08-06' })).toBe('unpriced');
  });

  it('Anthropic: cache writes 5m/1h, cache reads, long context above 200k, batch', () => {
    expect(cost('anthropic', 'claude-sonnet-4-5-20250929', { input: 1200, cache_read: 50_000, cache_write: 3000, output: 800 }, { cacheWrite1hTokens: 1000 }))
      .toBe('0.0441');
    expect(cost('anthropic', 'claude-sonnet-4-5', { input: 150_000, cache_read: 50_000, output: M })).toBe('15.465');
    expect(cost('anthropic', 'claude-sonnet-4-5', { input: 150_001, cache_read: 50_000, output: M })).toBe('23.430006 (long-context)');
    expect(cost('anthropic', 'claude-sonnet-4-20250514', { input: 300_000 }, { serviceTier: 'batch' })).toBe('0.9 (batch-long-context)');
    expect(cost('anthropic', 'claude-sonnet-4-0', { input: 100_000 })).toBe('0.3');
    expect(cost('anthropic', 'claude-sonnet-4-0', { input: M })).toBe('6 (long-context)');
    expect(cost('anthropic', 'claude-haiku-4-5-20251001', { input: M, output: M, cache_write: M, cache_read: M }, { cacheWrite1hTokens: M / 2 })).toBe('7.725');
    expect(cost('anthropic', 'claude-3-5-haiku-20241022', { input: M, output: M })).toBe('4.8');
    expect(cost('anthropic', 'claude-opus-4-1-20250805', { input: M, output: M })).toBe('90');
    expect(cost('anthropic', 'claude-opus-4-5-20251101', { input: M, output: M })).toBe('30');
    expect(cost('anthropic', 'claude-opus-4-5', { input: 300_000 })).toBe('1.5');
    expect(cost('anthropic', 'claude-sonnet-5', { input: M, output: M })).toBe('12');
    expect(cost('anthropic', 'claude-haiku-4-5', { input: M }, { serviceTier: 'batch' })).toBe('0.5 (batch)');
    expect(cost('aws.bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', { input: 100_000 })).toBe('0.3');
    expect(cost('gcp.vertex_ai', 'claude-opus-4-1@20250805', { input: M })).toBe('15');
  });

  it('Google: Gemini 2.5 Pro at exactly 200k and above, Flash, Flash-Lite, batch, a dated price change', () => {
    expect(cost('gcp.gemini', 'gemini-2.5-pro', { input: 190_000, cache_read: 10_000, output: 1000 })).toBe('0.24875');
    expect(cost('gcp.gemini', 'gemini-2.5-pro', { input: 190_001, cache_read: 10_000, output: 1000 })).toBe('0.4925025 (long-context)');
    expect(cost('google', 'models/gemini-2.5-flash', { input: M, output: M, cache_read: M })).toBe('2.83');
    expect(cost('google', 'gemini-2.5-flash-lite', { input: M, output: M })).toBe('0.5');
    expect(cost('google', 'gemini-2.5-flash', { input: M, output: M }, { serviceTier: 'batch' })).toBe('1.4 (batch)');
    expect(cost('google', 'gemini-3.8-flash', { input: M, output: M }, { time: '2026-12-31T23:59:59Z' })).toBe('4.5');
    expect(cost('google', 'gemini-3.8-flash', { input: M, output: M }, { time: '2027-01-01T00:00:00Z' })).toBe('9');
  });

  it('Mistral: dated ids, -latest aliases, the Large 3 switch', () => {
    expect(cost('mistral_ai', 'mistral-large-2411', { input: M, output: M })).toBe('8');
    expect(cost('mistral_ai', 'mistral-large-2512', { input: M, output: M })).toBe('2');
    expect(cost('mistral', 'mistral-large-latest', { input: M, output: M }, { time: '2025-12-01' })).toBe('8');
    expect(cost('mistral', 'mistral-large-latest', { input: M, output: M })).toBe('2');
    expect(cost('mistral', 'mistral-medium-2508', { input: M, output: M })).toBe('2.4');
    expect(cost('mistral', 'mistral-small-latest', { input: M, output: M })).toBe('0.4');
    expect(cost('mistral', 'codestral-2508', { input: M, output: M })).toBe('1.2');
    expect(cost('mistral', 'mistral-embed', { input: M })).toBe('0.1');
  });

  it('2026 models: GPT-6 long context at 272k, Haiku 5.5 at 100k, the Sonnet 5.5 cache-read cut, GPT-5.6 before its known price', () => {
    expect(cost('openai', 'gpt-6-sol', { input: 272_000 })).toBe('0.544');
    expect(cost('openai', 'gpt-6-sol', { input: 272_001 })).toBe('1.088004 (long-context)');
    expect(cost('openai', 'gpt-6-sol', { input: 272_001 }, { serviceTier: 'batch' })).toBe('0.544002 (batch-long-context)');
    expect(cost('openai', 'gpt-6-astra', { input: M, cache_write: M, output: M }, { serviceTier: 'priority' })).toBe('145 (priority)');
    expect(cost('openai', 'gpt-6-luna', { input: 100_000, cache_read: 100_000, output: M })).toBe('0.511');
    expect(cost('openai', 'gpt-5.6-terra', { input: M }, { time: '2026-07-29T23:59:59Z' })).toBe('unpriced');
    expect(cost('openai', 'gpt-5.6-terra', { input: M }, { time: '2026-07-30T00:00:00Z' })).toBe('2');
    expect(cost('anthropic', 'claude-haiku-5-5', { input: 90_000, cache_read: 10_000, output: M })).toBe('0.5091');
    expect(cost('anthropic', 'claude-haiku-5-5', { input: 90_001, cache_read: 10_000, output: M })).toBe('2.5455005 (long-prompt)');
    expect(cost('anthropic', 'claude-sonnet-5-5', { cache_read: M }, { time: '2026-10-06T23:59:59Z' })).toBe('0.2');
    expect(cost('anthropic', 'claude-sonnet-5-5', { cache_read: M }, { time: '2026-10-07T00:00:00Z' })).toBe('0.1');
    expect(cost('anthropic', 'claude-opus-5-5', { input: M, cache_write: M, output: M }, { cacheWrite1hTokens: M })).toBe('32');
    expect(cost('anthropic', 'claude-fable-5-1', { cache_read: M })).toBe('0.25');
    expect(cost('google', 'gemini-3.8-flash', { cache_read: M }, { time: '2026-11-01' })).toBe('0.075');
    expect(cost('google', 'gemini-3.8-flash', { input: M }, { time: '2026-11-01', serviceTier: 'flex' })).toBe('0.375 (flex)');
  });

  it('an unknown model stays unpriced', () => {
    expect(cost('openai', 'gpt-7-ultra', { input: M })).toBe('unpriced');
    expect(cost('cohere', 'command-r', { input: M })).toBe('unpriced');
  });
});
