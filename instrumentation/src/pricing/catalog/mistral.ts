/**
 * Mistral AI (La Plateforme) list prices, USD per million tokens. Mistral
 * publishes no cache or reasoning rates: cached input is priced as input and
 * reasoning as output (the fallbacks). Dated ids (`-2411`, `-2508`) are
 * matched by anchored regexes; `-latest` aliases normalise to the bare family name.
 */
import { listPrices } from './define.js';
import type { PriceEntry, PriceRates } from '../types.js';

const PRICING_URL = 'https://mistral.ai/pricing#api-pricing';
const AS_OF = '2026-11-23';
const price = listPrices('mistral', PRICING_URL, AS_OF);

const LAST_KNOWN = 'Last known public list price; could not be re-verified on 2026-11-23 (the pricing page is rendered client-side).';

function family(id: string, pattern: string, from: string, prices: PriceRates, notes = LAST_KNOWN, to?: string): PriceEntry {
  const options: Parameters<typeof price>[3] = { id: `mistral/${id}`, match: 'regex', notes };
  if (to !== undefined) options.effective_to = to;
  return price(pattern, from, prices, options);
}

export const mistralPrices: readonly PriceEntry[] = [
  family('mistral-large-2411', 'mistral-large-2411|mistral-large-2407', '2024-07-24', { input: '2', output: '6' }),
  family('mistral-large-3', 'mistral-large-2512', '2025-12-02', { input: '0.50', output: '1.50' }),
  family('mistral-large', 'mistral-large', '2024-11-18', { input: '2', output: '6' },
    `${LAST_KNOWN} mistral-large-latest served Mistral Large 2.1 (2411) until Mistral Large 3 (2512).`, '2025-12-02'),
  family('mistral-large@2025-12-02', 'mistral-large', '2025-12-02', { input: '0.50', output: '1.50' },
    `${LAST_KNOWN} mistral-large-latest serves Mistral Large 3 (2512).`),
  family('mistral-medium-3', 'mistral-medium(?:-2505|-2508)?', '2025-05-07', { input: '0.40', output: '2' }),
  family('mistral-small-3', 'mistral-small(?:-2501|-2503|-2506)?', '2025-01-30', { input: '0.10', output: '0.30' }),
  family('codestral', 'codestral(?:-2501|-2508)?', '2025-01-13', { input: '0.30', output: '0.90' }),
  family('devstral-small', 'devstral-small(?:-2505|-2507)?', '2025-05-21', { input: '0.10', output: '0.30' }),
  family('devstral-medium', 'devstral-medium(?:-2507)?', '2025-07-10', { input: '0.40', output: '2' }),
  family('devstral-2', 'devstral-2512', '2025-12-09', { input: '0.40', output: '2' }),
  family('magistral-medium', 'magistral-medium(?:-2506|-2507|-2509)?', '2025-06-10', { input: '2', output: '5' }),
  family('magistral-small', 'magistral-small(?:-2506|-2507|-2509)?', '2025-06-10', { input: '0.50', output: '1.50' },
    `${LAST_KNOWN} Secondary sources disagree on the output rate ($1.50 vs $2).`),
  family('ministral-8b', 'ministral-8b(?:-2410)?', '2024-10-16', { input: '0.10', output: '0.10' }),
  family('ministral-3b', 'ministral-3b(?:-2410)?', '2024-10-16', { input: '0.04', output: '0.04' }),
  family('pixtral-large', 'pixtral-large(?:-2411)?', '2024-11-18', { input: '2', output: '6' }),
  family('open-mistral-nemo', 'open-mistral-nemo(?:-2407)?', '2024-07-18', { input: '0.15', output: '0.15' }),
  family('mistral-embed', 'mistral-embed', '2023-12-11', { input: '0.10', output: '0' }),
  family('codestral-embed', 'codestral-embed(?:-2505)?', '2025-05-28', { input: '0.15', output: '0' }),
];
