/**
 * Per-token rates of a model from the price catalog (pico-USD per token, the
 * same integer as micro-USD per million), with the catalog's fallbacks
 * applied, and the exact cost of aggregated token counts at those rates.
 * Aggregates are never priced through `PriceCatalog.price`: a sum of many
 * calls would cross the long-context thresholds no single call crosses.
 */
import { compileRates } from '@tokenmeter/instrumentation/pricing';
import type { PriceCatalog, PriceEntry, PriceRates } from '@tokenmeter/instrumentation/pricing';

export interface TokenRates {
  input: bigint;
  output: bigint;
  cache_read: bigint;
  cache_write: bigint;
  cache_write_1h: bigint;
  reasoning: bigint;
}

/** Token counts by disjoint type (sums over many calls). */
export interface TokenSums {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
}

export interface ModelRates {
  /** The entry that prices the model at the given time. */
  priceId: string;
  base: TokenRates;
  /** The catalog's Batch tier, when the model has one. */
  batch?: TokenRates;
  /** Whether the entry lists cache rates of its own (not only the fallbacks). */
  hasCacheRead: boolean;
  hasCacheWrite1h: boolean;
}

/** Rates with the pricing README's fallbacks: cache_read → input, cache_write → input, cache_write_1h → cache_write, reasoning → output. */
export function tokenRates(p: PriceRates): TokenRates {
  const c = compileRates(p);
  return { input: c.input, output: c.output, cache_read: c.cacheRead, cache_write: c.cacheWrite, cache_write_1h: c.cacheWrite1h, reasoning: c.reasoning };
}

/** The base and Batch rates of an entry (Batch = the tier selected by `service_tier: batch` alone). */
export function entryRates(entry: PriceEntry): ModelRates {
  const batchTier = entry.tiers?.find((t) => t.when.service_tier === 'batch' && t.when.min_input_tokens === undefined);
  const out: ModelRates = {
    priceId: entry.id,
    base: tokenRates(entry.prices),
    hasCacheRead: entry.prices.cache_read !== undefined,
    hasCacheWrite1h: entry.prices.cache_write_1h !== undefined,
  };
  if (batchTier) out.batch = tokenRates(batchTier.prices);
  return out;
}

/** Rates of `provider`/`model` at `timeMs` (org overrides apply), or `undefined` when the catalog has no price. */
export function modelRates(catalog: PriceCatalog, provider: string, model: string, timeMs: number, org?: string): ModelRates | undefined {
  const entry = catalog.resolve(provider, model, timeMs, org);
  return entry ? entryRates(entry) : undefined;
}

/** Exact cost in pico-USD of `tokens` at `rates` (cache writes at the 5-minute rate: the ledger does not split them). */
export function costAt(rates: TokenRates, tokens: TokenSums): bigint {
  return (
    BigInt(tokens.input) * rates.input +
    BigInt(tokens.output) * rates.output +
    BigInt(tokens.cache_read) * rates.cache_read +
    BigInt(tokens.cache_write) * rates.cache_write +
    BigInt(tokens.reasoning) * rates.reasoning
  );
}
