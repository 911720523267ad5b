/**
 * OpenAI list prices, USD per million tokens (standard processing; Batch and
 * Flex halve every rate; Priority as listed on the priority-processing page).
 * `cache_read` is OpenAI's "cached input". Models before GPT-6 bill no cache
 * writes, so `cache_write` falls back to input (their usage never reports any);
 * GPT-6 models list a cache-write rate. Reasoning
 * tokens are billed as output (the default fallback).
 */
import { batchTier, halved, listPrices } from './define.js';
import type { PriceEntry, PriceRates, PriceTier } from '../types.js';

const PRICING_URL = 'https://developers.openai.com/api/docs/pricing';
const PRIORITY_URL = 'https://openai.com/api-priority-processing/';
const AS_OF = '2026-11-23';
const price = listPrices('openai', PRICING_URL, AS_OF);

const VERIFIED = `Priority rates read from ${PRIORITY_URL}; standard rates from several secondary sources that cite ${PRICING_URL} (consistent with the priority ratios).`;
const LAST_KNOWN = 'Last known public list price; not re-verified on 2026-11-23.';
const FROM_LOWER_BOUND = 'effective_from is a lower bound (the model did not exist before its release).';

/** Batch + Flex (both half price) and, when given, Priority. */
function serviceTiers(base: PriceRates, priority?: PriceRates, flex = true): PriceTier[] {
  const tiers: PriceTier[] = [batchTier(base)];
  if (flex) tiers.push({ name: 'flex', when: { service_tier: 'flex' }, prices: halved(base) });
  if (priority) tiers.push({ name: 'priority', when: { service_tier: 'priority' }, prices: priority });
  return tiers;
}

function model(name: string, from: string, base: PriceRates, priority: PriceRates | undefined, notes: string, options: { flex?: boolean; match?: 'exact' | 'regex'; id?: string; to?: string } = {}): PriceEntry {
  const extra: Parameters<typeof price>[3] = { tiers: serviceTiers(base, priority, options.flex ?? true), notes };
  if (options.match) extra.match = options.match;
  if (options.id) extra.id = options.id;
  if (options.to) extra.effective_to = options.to;
  return price(name, from, base, extra);
}

/** GPT-6 family: above 272k input tokens the whole request is billed at the long-context rates; Batch and Flex halve whichever applies. */
function gpt6Tiers(base: PriceRates, long: PriceRates, priority?: PriceRates): PriceTier[] {
  const tiers = serviceTiers(base, priority);
  tiers.push(
    { name: 'long-context', when: { min_input_tokens: 272_001 }, prices: long },
    { name: 'batch-long-context', when: { service_tier: 'batch', min_input_tokens: 272_001 }, prices: halved(long) },
    { name: 'flex-long-context', when: { service_tier: 'flex', min_input_tokens: 272_001 }, prices: halved(long) },
  );
  return tiers;
}

const SECONDARY = 'Rates as published on the model page and pricing page, confirmed through several pricing tools\' release notes (not read first-hand).';

const GPT5: PriceRates = { input: '1.25', cache_read: '0.125', output: '10' };
const GPT5_PRIORITY: PriceRates = { input: '2.50', cache_read: '0.25', output: '20' };

export const openaiPrices: readonly PriceEntry[] = [
  // GPT-6 (2026-09)
  price('gpt-6-astra', '2026-09-03', { input: '10', cache_read: '1', cache_write: '12.50', output: '50' }, {
    tiers: gpt6Tiers({ input: '10', cache_read: '1', cache_write: '12.50', output: '50' }, { input: '20', cache_read: '2', cache_write: '25', output: '75' },
      { input: '20', cache_read: '2', cache_write: '25', output: '100' }),
    notes: `${SECONDARY} Released 2026-09-03. Priority (Fast mode) at 2× the base rates; priority above 272k is not modelled.`,
  }),
  price('gpt-6-sol', '2026-09-22', { input: '2', cache_read: '0.20', cache_write: '2.50', output: '10' }, {
    tiers: gpt6Tiers({ input: '2', cache_read: '0.20', cache_write: '2.50', output: '10' }, { input: '4', cache_read: '0.40', cache_write: '5', output: '15' }),
    notes: `${SECONDARY} Released 2026-09-22.`,
  }),
  price('gpt-6-luna', '2026-09-22', { input: '0.10', cache_read: '0.01', cache_write: '0.125', output: '0.50' }, {
    tiers: gpt6Tiers({ input: '0.10', cache_read: '0.01', cache_write: '0.125', output: '0.50' }, { input: '0.20', cache_read: '0.02', cache_write: '0.25', output: '0.75' }),
    notes: `${SECONDARY} Released 2026-09-22.`,
  }),
  price('gpt-6.1-sol', '2026-09-22', { input: '2', cache_read: '0.10', output: '10' }, {
    tiers: gpt6Tiers({ input: '2', cache_read: '0.10', output: '10' }, { input: '4', cache_read: '0.20', output: '15' }, { input: '4', cache_read: '0.20', output: '20' }),
    notes: `${SECONDARY} Cache-write rate not found: cache writes are priced as input. ${FROM_LOWER_BOUND}`,
  }),
  // GPT-5.6 (2026-07; prices cut on 2026-07-30: launch prices not found, so calls before the cut are unpriced)
  model('gpt-5.6-terra', '2026-07-30', { input: '2', cache_read: '0.20', output: '12' }, undefined, `${SECONDARY} Price after the 2026-07-30 cut.`),
  model('gpt-5.6-luna', '2026-07-30', { input: '0.20', cache_read: '0.02', output: '1.20' }, undefined, `${SECONDARY} Price after the 2026-07-30 cut.`),
  model('gpt-5.6-sol', '2026-07-30', { input: '4', cache_read: '0.40', output: '20' }, undefined,
    'Last known list price, seen only on a reseller\'s price list; not verified on the provider\'s page.'),
  // GPT-5.5 / 5.4 (2026)
  model('gpt-5.5', '2026-01-01', { input: '5', cache_read: '0.50', output: '30' }, { input: '12.50', cache_read: '1.25', output: '75' },
    `${VERIFIED} Long-context (> 272k) rates are not modelled. ${FROM_LOWER_BOUND}`),
  model('gpt-5.5-pro', '2026-01-01', { input: '30', output: '180' }, undefined, `${VERIFIED} No cached-input rate published. ${FROM_LOWER_BOUND}`, { flex: false }),
  model('gpt-5.4', '2026-01-01', { input: '2.50', cache_read: '0.25', output: '15' }, { input: '5', cache_read: '0.50', output: '30' },
    `${VERIFIED} Long-context rates are not modelled. ${FROM_LOWER_BOUND}`),
  model('gpt-5.4-mini', '2026-01-01', { input: '0.75', cache_read: '0.075', output: '4.50' }, { input: '1.50', cache_read: '0.15', output: '9' },
    `${VERIFIED} ${FROM_LOWER_BOUND}`),
  model('gpt-5.4-nano', '2026-01-01', { input: '0.20', cache_read: '0.02', output: '1.25' }, undefined, `${VERIFIED} ${FROM_LOWER_BOUND}`),
  model('gpt-5.4-pro', '2026-01-01', { input: '30', output: '180' }, undefined, `${VERIFIED} ${FROM_LOWER_BOUND}`, { flex: false }),
  // GPT-5.2 / 5.1 / 5
  model('gpt-5.2', '2025-12-11', { input: '1.75', cache_read: '0.175', output: '14' }, { input: '3.50', cache_read: '0.35', output: '28' }, VERIFIED),
  model('gpt-5.2-pro', '2025-12-11', { input: '21', output: '168' }, undefined, VERIFIED, { flex: false }),
  model('gpt-5.1', '2025-11-13', GPT5, GPT5_PRIORITY, VERIFIED),
  model('gpt-5.1-codex', '2025-11-13', GPT5, GPT5_PRIORITY, VERIFIED),
  model('gpt-5.1-codex-mini', '2025-11-13', { input: '0.25', cache_read: '0.025', output: '2' }, undefined, LAST_KNOWN),
  model('gpt-5', '2025-08-07', GPT5, GPT5_PRIORITY, VERIFIED),
  model('gpt-5-chat-latest', '2025-08-07', GPT5, undefined, LAST_KNOWN, { flex: false }),
  model('gpt-5-codex', '2025-09-15', GPT5, GPT5_PRIORITY, VERIFIED),
  model('gpt-5-mini', '2025-08-07', { input: '0.25', cache_read: '0.025', output: '2' }, { input: '0.45', cache_read: '0.045', output: '3.60' }, VERIFIED),
  model('gpt-5-nano', '2025-08-07', { input: '0.05', cache_read: '0.005', output: '0.40' }, undefined, LAST_KNOWN),
  model('gpt-5-pro', '2025-10-06', { input: '15', output: '120' }, undefined, LAST_KNOWN, { flex: false }),
  // GPT-4.1
  model('gpt-4.1', '2025-04-14', { input: '2', cache_read: '0.50', output: '8' }, { input: '3.50', cache_read: '0.875', output: '14' },
    `${VERIFIED} Flex is not offered for GPT-4.1.`, { flex: false }),
  model('gpt-4.1-mini', '2025-04-14', { input: '0.40', cache_read: '0.10', output: '1.60' }, { input: '0.70', cache_read: '0.175', output: '2.80' }, LAST_KNOWN, { flex: false }),
  model('gpt-4.1-nano', '2025-04-14', { input: '0.10', cache_read: '0.025', output: '0.40' }, { input: '0.20', cache_read: '0.05', output: '0.80' }, LAST_KNOWN, { flex: false }),
  // GPT-4o: the `gpt-4o` alias moved from the 2024-05-13 snapshot ($5/$15) to 2024-08-06 ($2.50/$10) on 2024-10-02.
  model('gpt-4o', '2024-05-13', { input: '5', output: '15' }, undefined, `${LAST_KNOWN} Alias served gpt-4o-2024-05-13 until 2024-10-02.`,
    { flex: false, id: 'openai/gpt-4o@2024-05-13', to: '2024-10-02' }),
  model('gpt-4o', '2024-10-02', { input: '2.50', cache_read: '1.25', output: '10' }, { input: '4.25', cache_read: '2.125', output: '17' }, LAST_KNOWN, { flex: false }),
  model('gpt-4o-2024-08-06', '2024-08-06', { input: '2.50', cache_read: '1.25', output: '10' }, { input: '4.25', cache_read: '2.125', output: '17' }, LAST_KNOWN, { flex: false }),
  model('gpt-4o-2024-05-13', '2024-05-13', { input: '5', output: '15' }, undefined, LAST_KNOWN, { flex: false }),
  model('gpt-4o-mini', '2024-07-18', { input: '0.15', cache_read: '0.075', output: '0.60' }, { input: '0.25', cache_read: '0.125', output: '1' }, LAST_KNOWN, { flex: false }),
  // o-series reasoning models
  model('o3', '2025-04-16', { input: '10', cache_read: '2.50', output: '40' }, undefined, `${LAST_KNOWN} Price cut by 80 % on 2025-06-10.`,
    { id: 'openai/o3@2025-04-16', to: '2025-06-10' }),
  model('o3', '2025-06-10', { input: '2', cache_read: '0.50', output: '8' }, { input: '3.50', cache_read: '0.875', output: '14' }, LAST_KNOWN),
  model('o3-pro', '2025-06-10', { input: '20', output: '80' }, undefined, LAST_KNOWN, { flex: false }),
  model('o4-mini', '2025-04-16', { input: '1.10', cache_read: '0.275', output: '4.40' }, { input: '2', cache_read: '0.50', output: '8' }, LAST_KNOWN),
  model('o3-mini', '2025-01-31', { input: '1.10', cache_read: '0.55', output: '4.40' }, undefined, LAST_KNOWN, { flex: false }),
  model('o1', '2024-09-12', { input: '15', cache_read: '7.50', output: '60' }, undefined, LAST_KNOWN, { flex: false }),
  model('o1-preview', '2024-09-12', { input: '15', cache_read: '7.50', output: '60' }, undefined, LAST_KNOWN, { flex: false }),
  model('o1-pro', '2025-03-19', { input: '150', output: '600' }, undefined, LAST_KNOWN, { flex: false }),
  // Embeddings (input only; Batch halves them).
  price('text-embedding-3-small', '2024-01-25', { input: '0.02', output: '0' }, { tiers: [batchTier({ input: '0.02', output: '0' })], notes: LAST_KNOWN }),
  price('text-embedding-3-large', '2024-01-25', { input: '0.13', output: '0' }, { tiers: [batchTier({ input: '0.13', output: '0' })], notes: LAST_KNOWN }),
  price('text-embedding-ada-002', '2022-12-15', { input: '0.10', output: '0' }, { tiers: [batchTier({ input: '0.10', output: '0' })], notes: LAST_KNOWN }),
];
