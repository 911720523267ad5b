/**
 * Public shapes of the pricing engine. Prices are per million tokens as
 * decimal USD strings (at most 6 fractional digits, i.e. whole micro-USD per
 * million tokens); costs are exact pico-USD bigints.
 */
import type { TokenUsage } from '../protocol.js';

/** Where an entry comes from: shipped with the package, or set by an admin in the control plane. */
export type PriceSource = 'bundled' | 'admin';

/** Provider service tiers a tier entry can select (OpenAI `service_tier`, Anthropic/Gemini batch). */
export const SERVICE_TIERS = ['batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/**
 * USD per million tokens of each disjoint token type, as decimal strings.
 * Fallbacks when a key is absent: `cache_read` → `input`, `cache_write` →
 * `input`, `cache_write_1h` → `cache_write`, `reasoning` → `output`.
 */
export interface PriceRates {
  input: string;
  output: string;
  /** Cached input read (OpenAI "cached input", Anthropic "cache hits", Gemini "context caching"). */
  cache_read?: string;
  /** Cache write with the default (5-minute) lifetime. */
  cache_write?: string;
  /** Cache write with the 1-hour lifetime (Anthropic). */
  cache_write_1h?: string;
  /** Reasoning/thinking tokens, billed as output by every provider today. */
  reasoning?: string;
}

/** When a tier applies; every condition given must hold. */
export interface PriceTierCondition {
  /** Inclusive: the tier applies when input + cache_read + cache_write ≥ this ("above 200k" = 200001). */
  min_input_tokens?: number;
  /** The call's service tier (`batch`, `flex`, `priority`). */
  service_tier?: ServiceTier;
}

/** Rates that replace the base rates entirely when `when` holds (as providers bill long context). */
export interface PriceTier {
  name: string;
  when: PriceTierCondition;
  prices: PriceRates;
}

/** One price of one model (or family, by regex) over a period. */
export interface PriceEntry {
  /** Unique in a catalog; reported as `priceId` and stored in the ledger. */
  id: string;
  /** Canonical provider name (`openai`, `anthropic`, `google`, `mistral`, …). */
  provider: string;
  /** The model name, or an anchored regular expression source when `match` is `regex`. */
  model_pattern: string;
  match: 'exact' | 'regex';
  /** RFC 3339 date (`2025-08-07`, midnight UTC) or date-time; the price applies from this instant. */
  effective_from: string;
  /** Exclusive end, same format; absent = open-ended. */
  effective_to?: string;
  /** Organisation this entry overrides the price for; absent = every organisation. */
  org?: string;
  source: PriceSource;
  currency: 'USD';
  prices: PriceRates;
  tiers?: PriceTier[];
  /** Where the list price was read (the provider's pricing page). */
  source_url?: string;
  /** Date the list price was read, `YYYY-MM-DD`. */
  as_of?: string;
  notes?: string;
}

/** What a call needs to be priced. */
export interface PriceCall {
  /** `gen_ai.provider.name` or an alias (`azure.ai.openai`, `gcp.gemini`, `aws.bedrock`, …). */
  provider: string;
  /** Response model if known, else request model; `undefined` is unpriced. */
  model: string | undefined;
  /** When the call started, epoch milliseconds: picks the effective price. */
  timeMs: number;
  org?: string;
  /** Provider service tier (`batch`, `flex`, `priority`; `default`/`auto`/`standard` = base). */
  serviceTier?: string;
  tokens: TokenUsage;
  /** Of `tokens.cache_write`, how many were 1-hour cache writes (Anthropic `ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens?: number;
}

/** Price of one call; compatible with `CallCost` of `core/hooks.ts`. */
export interface PriceResult {
  priced: boolean;
  /** Exact cost in pico-USD (`0n` when unpriced). */
  costPicoUsd: bigint;
  /** The same as float USD, for metrics and spans only. */
  costUsd: number;
  /** Id of the entry that priced the call. */
  priceId?: string;
  /** Name of the tier applied, when one was. */
  tier?: string;
}
