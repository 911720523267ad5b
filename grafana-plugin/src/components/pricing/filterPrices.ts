import type { PriceEntry } from '../../api/resources';

export type Show = 'all' | 'admin' | 'bundled';

/** Entries matching the text (provider or model) and the source filter, by provider, model, then newest first. */
export function filterPrices(prices: PriceEntry[], text: string, show: Show): PriceEntry[] {
  const t = text.trim().toLowerCase();
  return prices
    .filter((p) => show === 'all' || p.source === show)
    .filter((p) => !t || p.provider.toLowerCase().includes(t) || p.model_pattern.toLowerCase().includes(t))
    .sort(
      (a, b) =>
        a.provider.localeCompare(b.provider) ||
        a.model_pattern.localeCompare(b.model_pattern) ||
        b.effective_from.localeCompare(a.effective_from)
    );
}
