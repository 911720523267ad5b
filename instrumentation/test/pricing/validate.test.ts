import { describe, expect, it } from 'vitest';
import { validatePriceEntry } from '../../src/pricing/index.js';
import type { PriceEntry } from '../../src/pricing/index.js';

const VALID: PriceEntry = {
  id: 'admin/gpt-5',
  provider: 'openai',
  model_pattern: 'gpt-5',
  match: 'exact',
  effective_from: '2026-11-01',
  source: 'admin',
  currency: 'USD',
  prices: { input: '1.25', output: '10', cache_read: '0.125' },
  tiers: [{ name: 'batch', when: { service_tier: 'batch' }, prices: { input: '0.625', output: '5' } }],
};

describe('validatePriceEntry', () => {
  it('accepts a valid admin entry and a valid org override', () => {
    expect(validatePriceEntry(VALID)).toEqual([]);
    expect(validatePriceEntry({ ...VALID, org: 'acme', effective_to: '2026-12-01T00:00:00Z', notes: 'negotiated' })).toEqual([]);
  });

  it('rejects non-objects', () => {
    expect(validatePriceEntry(null)).toEqual(['entry: must be an object']);
    expect(validatePriceEntry([])).toEqual(['entry: must be an object']);
  });

  it('lists every missing field', () => {
    expect(validatePriceEntry({})).toEqual([
      'id: required non-empty string',
      'provider: required non-empty string',
      'model_pattern: required non-empty string',
      'match: must be "exact" or "regex"',
      'source: must be "bundled" or "admin"',
      'currency: must be "USD"',
      'effective_from: must be an RFC 3339 date (YYYY-MM-DD) or date-time with a time zone',
      'prices: must be an object with at least input and output',
    ]);
  });

  it('pins the messages of each wrong field', () => {
    expect(validatePriceEntry({
      ...VALID,
      extra: 1,
      match: 'regex',
      model_pattern: 'gpt-(5',
      effective_from: '2026-02-30',
      effective_to: '2026-11-01T00:00:00',
      currency: 'EUR',
      source_url: 'ftp://x',
      as_of: '23/11/2026',
      notes: 5,
      prices: { input: 1.25, output: '-1', cache_read: '0.1234567', cached: '1' },
    })).toEqual([
      'extra: unknown field',
      'model_pattern: invalid regular expression (error parsing regexp: missing closing ): `gpt-(5`; patterns use RE2 syntax (no backreferences or lookaround), which matches in linear time)',
      'currency: must be "USD"',
      'effective_from: must be an RFC 3339 date (YYYY-MM-DD) or date-time with a time zone',
      'effective_to: must be an RFC 3339 date (YYYY-MM-DD) or date-time with a time zone',
      'prices.cached: unknown price (allowed: input, output, cache_read, cache_write, cache_write_1h, reasoning)',
      'prices.input: must be a decimal string such as "2.50"',
      'prices.output: price per million tokens "-1" is negative',
      'prices.cache_read: price per million tokens "0.1234567" has 7 fractional digits; at most 6 are allowed',
      'source_url: must be an http(s) URL',
      'as_of: must be a date YYYY-MM-DD',
      'notes: must be a string',
    ]);
  });

  it('requires effective_to after effective_from', () => {
    expect(validatePriceEntry({ ...VALID, effective_to: '2026-11-01' })).toEqual(['effective_to: must be after effective_from']);
  });

  it('checks org overrides', () => {
    expect(validatePriceEntry({ ...VALID, org: ' ' })).toEqual(['org: must be a non-empty string when present']);
    expect(validatePriceEntry({ ...VALID, source: 'bundled', org: 'acme', source_url: 'https://x.test/p', as_of: '2026-11-01' }))
      .toEqual(['org: bundled entries cannot override an organisation']);
  });

  it('requires source_url and as_of on bundled entries', () => {
    expect(validatePriceEntry({ ...VALID, source: 'bundled' })).toEqual(['source_url: required on bundled entries', 'as_of: required on bundled entries']);
  });

  it('pins the tier messages', () => {
    expect(validatePriceEntry({
      ...VALID,
      tiers: [
        { name: 'batch', when: { service_tier: 'batch' }, prices: { input: '1', output: '1' } },
        { name: 'batch', when: { service_tier: 'batch' }, prices: { input: '1', output: '1' } },
        { name: '', when: {}, prices: { input: '1' } },
        { name: 'x', when: { min_input_tokens: 0, service_tier: 'scale', tokens: 1 }, prices: {}, other: true },
        'tier',
      ],
    })).toEqual([
      'tiers[1].name: duplicate tier name "batch"',
      'tiers[1].when: same condition as tiers[0]',
      'tiers[2].name: required non-empty string',
      'tiers[2].when: needs min_input_tokens and/or service_tier',
      'tiers[2].prices.output: required',
      'tiers[3].other: unknown field',
      'tiers[3].when.tokens: unknown condition',
      'tiers[3].when.min_input_tokens: must be a positive integer',
      'tiers[3].when.service_tier: must be one of batch, flex, priority',
      'tiers[3].prices.input: required',
      'tiers[3].prices.output: required',
      'tiers[4]: must be an object',
    ]);
    expect(validatePriceEntry({ ...VALID, tiers: {} })).toEqual(['tiers: must be an array']);
  });
});
