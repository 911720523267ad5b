/** Small helpers that keep the bundled catalog readable; exact decimal arithmetic only. */
import type { PriceEntry, PriceRates, PriceTier } from '../types.js';

export interface ListPriceOptions {
  /** Defaults to `<provider>/<model>`; give one when a model has several periods. */
  id?: string;
  match?: 'exact' | 'regex';
  effective_to?: string;
  tiers?: PriceTier[];
  notes?: string;
}

/** A bundled list-price entry of one provider's page. */
export function listPrices(provider: string, sourceUrl: string, asOf: string) {
  return (model: string, effectiveFrom: string, prices: PriceRates, options: ListPriceOptions = {}): PriceEntry => {
    const entry: PriceEntry = {
      id: options.id ?? `${provider}/${model}`,
      provider,
      model_pattern: model,
      match: options.match ?? 'exact',
      effective_from: effectiveFrom,
      source: 'bundled',
      currency: 'USD',
      prices,
      source_url: sourceUrl,
      as_of: asOf,
    };
    if (options.effective_to !== undefined) entry.effective_to = options.effective_to;
    if (options.tiers !== undefined) entry.tiers = options.tiers;
    if (options.notes !== undefined) entry.notes = options.notes;
    return entry;
  };
}

/** Every rate halved exactly (Batch APIs: 50 % off every token type). */
export function halved(rates: PriceRates): PriceRates {
  const out: PriceRates = { input: half(rates.input), output: half(rates.output) };
  for (const key of ['cache_read', 'cache_write', 'cache_write_1h', 'reasoning'] as const) {
    const value = rates[key];
    if (value !== undefined) out[key] = half(value);
  }
  return out;
}

/** Exact half of a decimal string (one more fractional digit at most). */
export function half(decimal: string): string {
  const [whole = '0', fraction = ''] = decimal.split('.');
  const scale = fraction.length + 1;
  const halvedValue = (BigInt(whole + fraction) * 10n) / 2n;
  const digits = halvedValue.toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, -scale);
  const fracPart = digits.slice(-scale).replace(/0+$/, '');
  return fracPart === '' ? intPart : `${intPart}.${fracPart}`;
}

/** A Batch tier: the base rates halved. */
export function batchTier(base: PriceRates): PriceTier {
  return { name: 'batch', when: { service_tier: 'batch' }, prices: halved(base) };
}
