import { filterPrices } from './pricing/filterPrices';
import { byOrg } from './providers/byOrg';
import type { PriceEntry, ProviderState } from '../api/resources';

const price = (id: string, provider: string, model: string, source: 'bundled' | 'admin', from: string): PriceEntry => ({
  id,
  provider,
  model_pattern: model,
  effective_from: from,
  source,
  prices: { input: '1', output: '2' },
});

test('prices: filtered by text and source, by provider, model, then newest first', () => {
  const list = [
    price('a', 'openai', 'gpt-4o', 'bundled', '2024-05-13'),
    price('b', 'openai', 'gpt-4o', 'admin', '2026-01-01'),
    price('c', 'anthropic', 'claude-sonnet-4-5', 'bundled', '2025-09-29'),
  ];
  expect(filterPrices(list, '', 'all').map((p) => p.id)).toEqual(['c', 'b', 'a']);
  expect(filterPrices(list, 'GPT', 'all').map((p) => p.id)).toEqual(['b', 'a']);
  expect(filterPrices(list, '', 'admin').map((p) => p.id)).toEqual(['b']);
});

test('providers: the default org first, then by org; by priority within one', () => {
  const p = (org: string, provider: string, priority: number): ProviderState => ({
    org,
    provider,
    priority,
    enabled: true,
    limits: {},
  });
  expect(
    byOrg([
      p('zeta', 'openai', 1),
      p('*', 'anthropic', 1),
      p('acme', 'openai', 2),
      p('acme', 'anthropic', 0),
      p('*', 'openai', 0),
    ]).map(([org, l]) => [org, l.map((x) => x.provider)])
  ).toEqual([
    ['*', ['openai', 'anthropic']],
    ['acme', ['anthropic', 'openai']],
    ['zeta', ['openai']],
  ]);
});
