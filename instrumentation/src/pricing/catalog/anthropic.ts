/**
 * Anthropic list prices, USD per million tokens. `cache_write` is the
 * 5-minute cache write, `cache_write_1h` the 1-hour one, `cache_read` a cache
 * hit or refresh. Batch halves every rate (the caching multipliers stack on
 * the batch price). Sonnet 4 / 4.5 / 4.6 bill the whole request at the
 * long-context rates when input + cache reads + cache writes exceed 200k.
 * Haiku 5.5 does the same above 100k. Model ids are matched after the date suffix is dropped
 * (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`); Bedrock and Vertex ids normalise the same way.
 */
import { batchTier, halved, listPrices } from './define.js';
import type { PriceEntry, PriceRates, PriceTier } from '../types.js';

const PRICING_URL = 'https://platform.claude.com/docs/en/about-claude/pricing';
const AS_OF = '2026-11-23';
const price = listPrices('anthropic', PRICING_URL, AS_OF);

const VERIFIED = `Read from the model pricing table at ${PRICING_URL}.`;
const FROM_LOWER_BOUND = 'effective_from is a lower bound (the model did not exist before its release).';

/** Anthropic's multipliers: 5-minute write 1.25×, 1-hour write 2×, cache read 0.1× of input. */
function rates(input: string, cacheWrite: string, cacheWrite1h: string, cacheRead: string, output: string): PriceRates {
  return { input, cache_write: cacheWrite, cache_write_1h: cacheWrite1h, cache_read: cacheRead, output };
}

const OPUS_4: PriceRates = rates('15', '18.75', '30', '1.50', '75');
const OPUS_45: PriceRates = rates('5', '6.25', '10', '0.50', '25');
const SONNET_4: PriceRates = rates('3', '3.75', '6', '0.30', '15');
const SONNET_4_LONG: PriceRates = rates('6', '7.50', '12', '0.60', '22.50');
const SONNET_5: PriceRates = rates('2', '2.50', '4', '0.20', '10');
const HAIKU_45: PriceRates = rates('1', '1.25', '2', '0.10', '5');
const HAIKU_35: PriceRates = rates('0.80', '1', '1.6', '0.08', '4');
const HAIKU_3: PriceRates = rates('0.25', '0.30', '0.50', '0.03', '1.25');

function tiers(base: PriceRates, long?: PriceRates): PriceTier[] {
  const out: PriceTier[] = [batchTier(base)];
  if (long) {
    out.push({ name: 'long-context', when: { min_input_tokens: 200_001 }, prices: long });
    out.push({ name: 'batch-long-context', when: { service_tier: 'batch', min_input_tokens: 200_001 }, prices: halved(long) });
  }
  return out;
}

function claude(pattern: string, from: string, base: PriceRates, notes: string, long?: PriceRates, match: 'exact' | 'regex' = 'exact', id?: string): PriceEntry {
  const options: Parameters<typeof price>[3] = { tiers: tiers(base, long), notes, match };
  if (id !== undefined) options.id = id;
  return price(pattern, from, base, options);
}

const HAIKU_55: PriceRates = rates('0.10', '0.125', '0.20', '0.01', '0.50');
const HAIKU_55_LONG: PriceRates = rates('0.50', '0.625', '1', '0.05', '2.50');
const FABLE_5: PriceRates = rates('10', '12.50', '20', '1', '50');
const FABLE_51: PriceRates = rates('10', '12.50', '20', '0.25', '50');
const OPUS_55: PriceRates = rates('4', '5', '8', '0.20', '20');
const SONNET_55_CUT: PriceRates = rates('2', '2.50', '4', '0.10', '10');

/** Haiku 5.5 bills the whole request at 5× when the prompt (input + cache reads + writes) exceeds 100k tokens. */
function haikuTiers(): PriceTier[] {
  return [
    batchTier(HAIKU_55),
    { name: 'long-prompt', when: { min_input_tokens: 100_001 }, prices: HAIKU_55_LONG },
    { name: 'batch-long-prompt', when: { service_tier: 'batch', min_input_tokens: 100_001 }, prices: halved(HAIKU_55_LONG) },
  ];
}

const SECONDARY = 'Rates from the model page; date or detail confirmed by secondary sources (release notes of pricing tools that track the page).';

export const anthropicPrices: readonly PriceEntry[] = [
  // Claude 5 family (2026)
  claude('claude-fable-5-1', '2026-09-01', FABLE_51, `${VERIFIED} Release date from secondary sources.`),
  claude('claude-mythos-5-1', '2026-09-01', FABLE_51, `${VERIFIED} Limited availability; same rates as Claude Fable 5.1. Model id from secondary sources.`),
  claude('claude-fable-5', '2026-06-09', FABLE_5, `${VERIFIED} Released 2026-06-09.`),
  claude('claude-mythos-5', '2026-06-09', FABLE_5, `${VERIFIED} Invitation only; same rates as Claude Fable 5.`),
  claude('claude-opus-5-5', '2026-09-22', OPUS_55, `${VERIFIED} ${SECONDARY}`),
  claude('claude-opus-5', '2026-07-24', OPUS_45, `${VERIFIED} Released 2026-07-24.`),
  price('claude-sonnet-5-5', '2026-09-01', rates('2', '2.50', '4', '0.20', '10'), {
    id: 'anthropic/claude-sonnet-5-5@launch', effective_to: '2026-10-07', tiers: tiers(rates('2', '2.50', '4', '0.20', '10')),
    notes: `Launch rates from the model page; cache reads cut to $0.10 on 2026-10-07. ${FROM_LOWER_BOUND}`,
  }),
  claude('claude-sonnet-5-5', '2026-10-07', SONNET_55_CUT, `${VERIFIED} Cache reads cut from $0.20 to $0.10 on 2026-10-07 (${SECONDARY})`),
  claude('claude-sonnet-5', '2026-06-30', SONNET_5, `${VERIFIED} Released 2026-06-30; 1M context without a long-context surcharge.`),
  price('claude-haiku-5-5', '2026-10-07', HAIKU_55, { tiers: haikuTiers(), notes: `${VERIFIED} Released 2026-10-07. Prompts over 100,000 tokens bill every token at the long-prompt rates.` }),
  // Claude 4.x
  claude('claude-opus-4-8', '2026-02-05', OPUS_45, `${VERIFIED} ${FROM_LOWER_BOUND}`),
  claude('claude-opus-4-7', '2026-02-05', OPUS_45, `${VERIFIED} ${FROM_LOWER_BOUND}`),
  claude('claude-opus-4-6', '2026-02-05', OPUS_45, `${VERIFIED} Released 2026-02-05. Long-context (1M beta) rates, if any, are not modelled.`),
  claude('claude-sonnet-4-6', '2026-02-17', SONNET_4, `${VERIFIED} Released 2026-02-17. Long-context tier (> 200k) as Sonnet 4.5, from a secondary source.`, SONNET_4_LONG),
  claude('claude-opus-4-5', '2025-11-24', OPUS_45, VERIFIED),
  claude('claude-haiku-4-5', '2025-10-15', HAIKU_45, VERIFIED),
  claude('claude-sonnet-4-5', '2025-09-29', SONNET_4, `${VERIFIED} Deprecated; retires 2026-11-30.`, SONNET_4_LONG),
  claude('claude-opus-4-1', '2025-08-05', OPUS_4, `${VERIFIED} Retired on the Claude API (still on Bedrock and Vertex).`),
  claude('claude-opus-4(?:-0)?', '2025-05-22', OPUS_4, `${VERIFIED} Matches claude-opus-4 and its alias claude-opus-4-0.`, undefined, 'regex', 'anthropic/claude-opus-4'),
  claude('claude-sonnet-4(?:-0)?', '2025-05-22', SONNET_4, `${VERIFIED} Matches claude-sonnet-4 and its alias claude-sonnet-4-0.`, SONNET_4_LONG, 'regex', 'anthropic/claude-sonnet-4'),
  claude('claude-3-7-sonnet', '2025-02-24', SONNET_4, `${VERIFIED} Deprecated.`),
  claude('claude-3-5-haiku', '2024-10-22', HAIKU_35, VERIFIED),
  claude('claude-3-opus', '2024-02-29', OPUS_4, `${VERIFIED} Deprecated.`),
  claude('claude-3-haiku', '2024-03-07', HAIKU_3, VERIFIED),
];
