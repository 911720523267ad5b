/**
 * Google Gemini API list prices (paid tier), USD per million tokens, text
 * input. Output includes thinking tokens (reasoning falls back to output).
 * `cache_read` is the context-caching rate; cache storage (per token-hour) is
 * not a per-call cost and is not modelled. Batch halves every rate. Models
 * with a long-context tier bill the whole request at it when the prompt
 * (input + cached) exceeds 200k tokens.
 */
import { batchTier, halved, listPrices } from './define.js';
import type { PriceEntry, PriceRates, PriceTier } from '../types.js';

const PRICING_URL = 'https://ai.google.dev/gemini-api/docs/pricing';
const AS_OF = '2026-11-23';
const price = listPrices('google', PRICING_URL, AS_OF);

const VERIFIED = `From ${PRICING_URL} as transcribed verbatim by a third party on 2026-09-20 and 2026-10-07 (not read first-hand).`;
const LAST_KNOWN = 'Last known public list price; not re-verified on 2026-11-23.';
const FROM_LOWER_BOUND = 'effective_from is a lower bound (the model did not exist before its release).';

function tiers(base: PriceRates, long?: PriceRates): PriceTier[] {
  const out: PriceTier[] = [batchTier(base)];
  if (long) {
    out.push({ name: 'long-context', when: { min_input_tokens: 200_001 }, prices: long });
    out.push({ name: 'batch-long-context', when: { service_tier: 'batch', min_input_tokens: 200_001 }, prices: halved(long) });
  }
  return out;
}

function gemini(model: string, from: string, base: PriceRates, notes: string, long?: PriceRates, extra: { id?: string; to?: string } = {}): PriceEntry {
  const options: Parameters<typeof price>[3] = { tiers: tiers(base, long), notes };
  if (extra.id !== undefined) options.id = extra.id;
  if (extra.to !== undefined) options.effective_to = extra.to;
  return price(model, from, base, options);
}

export const googlePrices: readonly PriceEntry[] = [
  // Gemini 3.8 Flash: half price through 2026-12-31, then the published 2027 price. Flex is half price too.
  price('gemini-3.8-flash', '2026-09-02', { input: '0.75', cache_read: '0.075', output: '3.75' }, {
    id: 'google/gemini-3.8-flash@intro', effective_to: '2027-01-01',
    tiers: [...tiers({ input: '0.75', cache_read: '0.075', output: '3.75' }), { name: 'flex', when: { service_tier: 'flex' }, prices: halved({ input: '0.75', cache_read: '0.075', output: '3.75' }) }],
    notes: `${VERIFIED} Released 2026-09-02. Introductory price through 2026-12-31; cache-read rate from secondary sources.`,
  }),
  price('gemini-3.8-flash', '2027-01-01', { input: '1.50', output: '7.50' }, {
    tiers: [...tiers({ input: '1.50', output: '7.50' }), { name: 'flex', when: { service_tier: 'flex' }, prices: halved({ input: '1.50', output: '7.50' }) }],
    notes: `${VERIFIED} Published price from 2027-01-01. The 2027 cache-read rate is not published yet: cached input is priced as input until an admin sets it.`,
  }),
  gemini('gemini-3.5-flash', '2026-01-01', { input: '1.50', output: '9' },
    `${VERIFIED} Cache-read rate not captured: cached input is priced as input. ${FROM_LOWER_BOUND}`),
  gemini('gemini-3.1-pro-preview', '2026-01-01', { input: '2', cache_read: '0.20', output: '12' },
    `${VERIFIED} Context-caching rates are the Gemini 3 Pro ones (last known). ${FROM_LOWER_BOUND}`,
    { input: '4', cache_read: '0.40', output: '18' }),
  gemini('gemini-3-pro-preview', '2025-11-18', { input: '2', cache_read: '0.20', output: '12' }, LAST_KNOWN,
    { input: '4', cache_read: '0.40', output: '18' }),
  gemini('gemini-2.5-pro', '2025-03-25', { input: '1.25', cache_read: '0.125', output: '10' },
    `${VERIFIED} Cache rates last known.`, { input: '2.50', cache_read: '0.25', output: '15' }),
  gemini('gemini-2.5-flash', '2025-04-17', { input: '0.30', cache_read: '0.03', output: '2.50' },
    `${VERIFIED} Text/image/video input; audio input ($1.00) is not distinguished. Cache rate last known.`),
  gemini('gemini-2.5-flash-lite', '2025-06-17', { input: '0.10', cache_read: '0.01', output: '0.40' }, `${VERIFIED} Input and cache rates last known.`),
  gemini('gemini-2.0-flash', '2025-02-05', { input: '0.10', cache_read: '0.025', output: '0.40' }, LAST_KNOWN),
  gemini('gemini-2.0-flash-lite', '2025-02-05', { input: '0.075', output: '0.30' }, LAST_KNOWN),
  gemini('gemini-embedding-001', '2025-07-14', { input: '0.15', output: '0' }, LAST_KNOWN),
];
