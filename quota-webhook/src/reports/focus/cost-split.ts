/**
 * Splits a ledger record's exact cost by token type, for FOCUS rows (one per
 * token type) and their three costs:
 * - effective: what the call cost, after cache and batch discounts. The parts
 *   always add up to the ledger's `cost_usd` exactly: when the current price
 *   table does not reproduce it (a price changed since, 1-hour cache writes),
 *   the ledger cost is shared out in proportion to the parts (largest remainder).
 * - contracted: the same tokens at the price entry that priced the call (an
 *   admin or organisation override is the negotiated price), standard service
 *   tier, cached input at the input rate.
 * - list: the same at the bundled public list price (else the contracted one).
 * Tier selection mirrors the pricing engine (`PriceCatalog.price`): service-tier
 * tiers first, then higher input thresholds first.
 */
import { compileRates, PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry, PriceRates, PriceTier } from '@tokenmeter/instrumentation/pricing';
import type { LedgerRow } from '../../store/types.js';
import { modelOf } from '../ledger-scan.js';

export const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Pico-USD per token (= micro-USD per million tokens) of each token type. */
export type TypeRates = Record<TokenType, bigint>;

export interface CostPart {
  type: TokenType;
  tokens: number;
  effective: bigint;
  contracted: bigint;
  list: bigint;
  /** Unit prices (pico-USD per token); null when the price entry is no longer known. */
  contractedRate: bigint | null;
  listRate: bigint | null;
}

export interface RecordSplit {
  priceId: string;
  /** The tier the call was priced at (`batch`, `long-context`, …), or null for the base rates. */
  tier: string | null;
  parts: CostPart[];
}

/** Service tiers that mean "the base price" (as in the pricing engine). */
const BASE_SERVICE_TIERS = new Set(['', 'default', 'auto', 'standard', 'standard_only', 'on_demand']);

/** The engine's rates with its fallbacks (cache_read → input, cache_write → input, reasoning → output). */
function typeRates(p: PriceRates): TypeRates {
  const c = compileRates(p);
  return { input: c.input, output: c.output, cache_read: c.cacheRead, cache_write: c.cacheWrite, reasoning: c.reasoning };
}

/** An entry's tiers in the engine's order: service-tier tiers first, then higher input thresholds first (memoised per entry). */
const sortedTiers = new WeakMap<PriceEntry, PriceTier[]>();
function tiersOf(entry: PriceEntry): PriceTier[] {
  let t = sortedTiers.get(entry);
  if (!t) {
    t = [...(entry.tiers ?? [])].sort((a, b) =>
      Number(b.when.service_tier !== undefined) - Number(a.when.service_tier !== undefined) || (b.when.min_input_tokens ?? 0) - (a.when.min_input_tokens ?? 0));
    sortedTiers.set(entry, t);
  }
  return t;
}

/** The tier of `entry` a call with this service tier and input size gets (`undefined` service tier = standard). */
function selectTier(entry: PriceEntry, serviceTier: string | undefined, totalInput: number): { name: string | null; prices: PriceRates } {
  const st = serviceTier === undefined || BASE_SERVICE_TIERS.has(serviceTier.toLowerCase()) ? undefined : serviceTier.toLowerCase();
  for (const t of tiersOf(entry)) {
    if (t.when.service_tier !== undefined && t.when.service_tier !== st) continue;
    if (totalInput < (t.when.min_input_tokens ?? 0)) continue;
    return { name: t.name, prices: t.prices };
  }
  return { name: null, prices: entry.prices };
}

/** Shares `total` out over `weights` in proportion, exactly (largest remainder; ties to the earlier index). */
export function apportion(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum === 0n) return weights.map((_, i) => (i === 0 ? total : 0n));
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const shares = weights.map((w) => (abs * w) / sum);
  let rest = abs - shares.reduce((s, v) => s + v, 0n);
  const order = weights.map((w, i) => ({ i, rem: (abs * w) % sum })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (rest === 0n) break;
    shares[i]! += 1n;
    rest -= 1n;
  }
  return negative ? shares.map((s) => -s) : shares;
}

export class CostSplitter {
  private readonly _byId = new Map<string, PriceEntry>();
  private readonly _rates = new Map<string, TypeRates>();

  constructor(
    private readonly _catalog: PriceCatalog,
    private readonly _listCatalog: PriceCatalog = PriceCatalog.bundled(),
  ) {
    for (const e of _catalog.entries()) this._byId.set(e.id, e);
  }

  private _ratesOf(entry: PriceEntry, tier: { name: string | null; prices: PriceRates }): TypeRates {
    const key = `${entry.id}\0${tier.name ?? ''}`;
    let r = this._rates.get(key);
    if (!r) this._rates.set(key, (r = typeRates(tier.prices)));
    return r;
  }

  /** The split of a priced record; `null` for an unpriced one (no price, no cost to split). */
  split(r: LedgerRow): RecordSplit | null {
    if (r.cost_pico === null) return null;
    const model = modelOf(r) ?? '';
    const org = r.org ?? undefined;
    const entry = (r.price_id !== null ? this._byId.get(r.price_id) : undefined) ?? this._catalog.resolve(r.provider, model, r.time_ms, org);
    const totalInput = r.input + r.cache_read + r.cache_write;
    const types = TOKEN_TYPES.filter((t) => r[t] > 0);
    if (!entry) {
      // The price is gone from the table: the ledger cost by token count, no list or contracted price known.
      const shares = apportion(r.cost_pico, types.map((t) => BigInt(r[t])));
      return {
        priceId: r.price_id ?? 'unknown', tier: null,
        parts: types.map((t, i) => ({ type: t, tokens: r[t], effective: shares[i]!, contracted: shares[i]!, list: shares[i]!, contractedRate: null, listRate: null })),
      };
    }
    const applied = selectTier(entry, r.service_tier ?? undefined, totalInput);
    const effRates = this._ratesOf(entry, applied);
    const conRates = this._ratesOf(entry, selectTier(entry, undefined, totalInput));
    const listEntry = this._listCatalog.resolve(r.provider, model, r.time_ms);
    const listRates = listEntry ? this._ratesOf(listEntry, selectTier(listEntry, undefined, totalInput)) : conRates;
    // Cached input is input bought at a discount: its list and contracted unit price is the input rate.
    const undiscounted = (rates: TypeRates, t: TokenType): bigint => (t === 'cache_read' ? rates.input : rates[t]);
    let effective = types.map((t) => BigInt(r[t]) * effRates[t]);
    if (effective.reduce((s, v) => s + v, 0n) !== r.cost_pico) effective = apportion(r.cost_pico, effective.some((v) => v > 0n) ? effective : types.map((t) => BigInt(r[t])));
    return {
      priceId: entry.id,
      tier: applied.name,
      parts: types.map((t, i) => {
        const contractedRate = undiscounted(conRates, t);
        const listRate = undiscounted(listRates, t);
        return { type: t, tokens: r[t], effective: effective[i]!, contracted: BigInt(r[t]) * contractedRate, list: BigInt(r[t]) * listRate, contractedRate, listRate };
      }),
    };
  }
}
