/**
 * Turns validated price entries into the prepared form the per-call path
 * uses: bigint rates with the fallbacks resolved, instants as epoch
 * milliseconds, tiers ordered most specific first, regexes compiled once (on
 * their first match).
 */
import { deferredModelPattern, type ModelPattern } from './model-pattern.js';
import { parsePricePerMillion } from './money.js';
import { parseInstant } from './validate.js';
import type { PriceEntry, PriceRates } from './types.js';

/** Pico-USD per token (= micro-USD per million tokens) of each token type, fallbacks applied. */
export interface CompiledRates {
  input: bigint;
  output: bigint;
  cacheRead: bigint;
  cacheWrite: bigint;
  cacheWrite1h: bigint;
  reasoning: bigint;
  /** The same rates as numbers (all are safe integers), for the exact fast path in `price`. */
  n: { input: number; output: number; cacheRead: number; cacheWrite: number; cacheWrite1h: number; reasoning: number };
}

export interface CompiledTier {
  name: string;
  /** Inclusive minimum of input + cache_read + cache_write; 0 = no condition. */
  minInputTokens: number;
  /** Required service tier; `undefined` = any. */
  serviceTier: string | undefined;
  rates: CompiledRates;
}

export interface CompiledEntry {
  entry: PriceEntry;
  fromMs: number;
  /** Exclusive; `Infinity` when open-ended. */
  toMs: number;
  rates: CompiledRates;
  /** Most specific first: service-tier tiers before others, then higher thresholds first. */
  tiers: CompiledTier[];
}

export function compileRates(prices: PriceRates): CompiledRates {
  const input = parsePricePerMillion(prices.input);
  const output = parsePricePerMillion(prices.output);
  const cacheWrite = prices.cache_write === undefined ? input : parsePricePerMillion(prices.cache_write);
  const cacheRead = prices.cache_read === undefined ? input : parsePricePerMillion(prices.cache_read);
  const cacheWrite1h = prices.cache_write_1h === undefined ? cacheWrite : parsePricePerMillion(prices.cache_write_1h);
  const reasoning = prices.reasoning === undefined ? output : parsePricePerMillion(prices.reasoning);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
    reasoning,
    n: {
      input: safeNumber(input),
      output: safeNumber(output),
      cacheRead: safeNumber(cacheRead),
      cacheWrite: safeNumber(cacheWrite),
      cacheWrite1h: safeNumber(cacheWrite1h),
      reasoning: safeNumber(reasoning),
    },
  };
}

/** A rate as a number when exactly representable; `Infinity` otherwise, which forces the bigint path. */
function safeNumber(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.POSITIVE_INFINITY;
}

/** Compiles one entry that `validatePriceEntry` accepted. */
export function compileEntry(entry: PriceEntry): CompiledEntry {
  const tiers: CompiledTier[] = (entry.tiers ?? []).map((tier) => ({
    name: tier.name,
    minInputTokens: tier.when.min_input_tokens ?? 0,
    serviceTier: tier.when.service_tier,
    rates: compileRates(tier.prices),
  }));
  tiers.sort((a, b) => Number(b.serviceTier !== undefined) - Number(a.serviceTier !== undefined) || b.minInputTokens - a.minInputTokens);
  return {
    entry,
    fromMs: parseInstant(entry.effective_from) ?? Number.NaN,
    toMs: entry.effective_to === undefined ? Number.POSITIVE_INFINITY : (parseInstant(entry.effective_to) ?? Number.NaN),
    rates: compileRates(entry.prices),
    tiers,
  };
}

/** One precedence layer (an organisation's overrides, admin globals, or bundled): exact names first, regexes on a miss. */
export class PriceTable {
  private readonly _exact = new Map<string, Map<string, CompiledEntry[]>>();
  private readonly _regex = new Map<string, { re: ModelPattern; compiled: CompiledEntry }[]>();

  add(compiled: CompiledEntry): void {
    const provider = compiled.entry.provider.trim().toLowerCase();
    if (compiled.entry.match === 'exact') {
      let models = this._exact.get(provider);
      if (!models) this._exact.set(provider, (models = new Map()));
      const model = compiled.entry.model_pattern.trim().toLowerCase();
      const list = models.get(model);
      if (list) list.push(compiled);
      else models.set(model, [compiled]);
    } else {
      let list = this._regex.get(provider);
      if (!list) this._regex.set(provider, (list = []));
      list.push({ re: deferredModelPattern(compiled.entry.model_pattern), compiled });
    }
  }

  /** Entries for a provider and model name: the exact ones if any, else every matching regex entry. */
  find(provider: string, model: string): CompiledEntry[] {
    const exact = this._exact.get(provider)?.get(model);
    if (exact) return exact;
    const regexes = this._regex.get(provider);
    if (!regexes) return [];
    return regexes.filter(({ re }) => re.matches(model)).map(({ compiled }) => compiled);
  }
}
