import { priceForm, validatePrice, validateReprice } from './priceForm';
import type { PriceEntry } from '../../api/resources';

const bundled: PriceEntry = {
  id: 'openai-gpt-4o-2024',
  provider: 'openai',
  model_pattern: 'gpt-4o',
  match: 'exact',
  effective_from: '2024-05-13',
  source: 'bundled',
  prices: { input: '2.5', output: '10', cache_read: '1.25' },
};

describe('price entry form', () => {
  test('an override drafted from a bundled entry keeps the rates, starts today, has no id', () => {
    expect(priceForm(bundled, '2026-12-05')).toEqual(
      expect.objectContaining({
        id: '',
        provider: 'openai',
        model_pattern: 'gpt-4o',
        effective_from: '2026-12-05',
        rates: { input: '2.5', output: '10', cache_read: '1.25', cache_write: '', reasoning: '' },
      })
    );
  });

  test('a valid entry becomes the body POST /prices takes (decimal strings kept exact)', () => {
    const f = {
      ...priceForm(bundled, '2026-12-05'),
      org: 'acme',
      rates: { input: '2.000001', output: '8', cache_read: '', cache_write: '', reasoning: '' },
    };
    expect(validatePrice(f)).toEqual({
      ok: true,
      body: {
        provider: 'openai',
        model_pattern: 'gpt-4o',
        match: 'exact',
        effective_from: '2026-12-05',
        org: 'acme',
        prices: { input: '2.000001', output: '8' },
      },
    });
  });

  test('names every bad field', () => {
    const f = {
      ...priceForm(undefined, 'x'),
      match: 'regex' as const,
      model_pattern: 'gpt-(',
      effective_to: '2020-01-01',
      rates: { input: '1.1234567', output: '', cache_read: '-1', cache_write: '', reasoning: '' },
    };
    const v = validatePrice(f);
    expect(v).toEqual({
      ok: false,
      errors: {
        provider: 'Name the provider (openai, anthropic, …)',
        model_pattern: 'Not a valid regular expression',
        effective_from: 'A date (YYYY-MM-DD) or an RFC 3339 date-time',
        input: 'USD per million tokens, e.g. 2.5 (at most 6 decimals)',
        output: 'Required: USD per million tokens',
        cache_read: 'USD per million tokens, e.g. 2.5 (at most 6 decimals)',
      },
    });
  });

  test('effective_to must come after effective_from', () => {
    const v = validatePrice({ ...priceForm(bundled, '2026-12-05'), effective_to: '2026-12-01' });
    expect(!v.ok && v.errors.effective_to).toBe('Must be after "effective from"');
  });
});

describe('re-price form', () => {
  test('needs a period and a reason', () => {
    expect(validateReprice({ from: '2026-01-01', to: '2026-02-01', reason: 'new contract' })).toEqual({ ok: true });
    expect(validateReprice({ from: '2026-02-01', to: '2026-01-01', reason: ' ' })).toEqual({
      ok: false,
      errors: { to: 'Must be after "from"', reason: 'Say why: re-pricing is audited' },
    });
  });
});
