/**
 * The pricing engine: an immutable catalog of price entries compiled into
 * three precedence layers (organisation overrides > admin globals > bundled).
 * The first call for a (provider, model, org) resolves aliases, normalised
 * names and regexes once and memoises the candidate entries; every later call
 * is three Map lookups, a scan of a handful of candidates by time and a few
 * bigint multiplies. A changed catalog is a new instance (`withEntries`), so
 * its memo starts empty: nothing stale survives a change.
 */
import { bundledPrices } from './catalog/index.js';
import { compileEntry, PriceTable } from './compile.js';
import { picoToUsd } from './money.js';
import { canonicalProvider, normaliseModel } from './names.js';
import { entryProblems } from './validate.js';
import type { CompiledEntry, CompiledRates } from './compile.js';
import type { PriceCall, PriceEntry, PriceResult } from './types.js';

/** Thrown by the catalog constructor: `problems` lists each invalid entry's problems, prefixed with its id. */
export class PriceCatalogError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid price catalog: ${problems.join('; ')}`);
    this.name = 'PriceCatalogError';
    this.problems = problems;
  }
}

/** Distinct (provider, model, org) combinations memoised before the memo is reset (bounds memory on odd inputs). */
export const PRICE_MEMO_LIMIT = 10_000;

const UNPRICED: PriceResult = Object.freeze({ priced: false, costPicoUsd: 0n, costUsd: 0 });
/** Service tiers that mean "the base price". */
const BASE_SERVICE_TIERS = new Set(['', 'default', 'auto', 'standard', 'standard_only', 'on_demand']);

type Candidates = readonly (readonly CompiledEntry[])[];

/**
 * The bundled list, built at start-up: its regex patterns are not compiled to
 * check them (its tests do, `test/pricing/bundled-catalog.test.ts`); each
 * compiles on its first match. Module-private: no other caller can skip the check.
 */
const BUNDLED_LIST = Symbol('bundled list');

export class PriceCatalog {
  private readonly _entries: readonly PriceEntry[];
  private readonly _orgTables = new Map<string, PriceTable>();
  private readonly _adminTable = new PriceTable();
  private readonly _bundledTable = new PriceTable();
  /** provider → model → org ('' = none) → candidate entries per layer, latest effective_from first. */
  private readonly _memo = new Map<string, Map<string, Map<string, Candidates>>>();
  private _memoSize = 0;

  /** Validates and compiles `entries`; throws a `PriceCatalogError` listing every problem. */
  constructor(entries: readonly PriceEntry[], origin?: typeof BUNDLED_LIST) {
    const problems: string[] = [];
    const ids = new Set<string>();
    const starts = new Map<string, string>();
    entries.forEach((entry, i) => {
      const label = typeof entry?.id === 'string' ? `"${entry.id}"` : `#${i}`;
      const own = entryProblems(entry, origin !== BUNDLED_LIST);
      for (const p of own) problems.push(`entry ${label}: ${p}`);
      if (own.length > 0) return;
      if (ids.has(entry.id)) problems.push(`entry ${label}: id: duplicate id`);
      ids.add(entry.id);
      // Two entries of one layer for the same pattern starting at the same instant would be ambiguous.
      const key = [entry.org ?? '', entry.org === undefined ? entry.source : '', entry.provider.toLowerCase(), entry.match, entry.model_pattern.toLowerCase(), entry.effective_from].join('\u0000');
      const other = starts.get(key);
      if (other !== undefined) problems.push(`entry ${label}: effective_from: same provider, pattern, layer and start as "${other}"`);
      else starts.set(key, entry.id);
    });
    if (problems.length > 0) throw new PriceCatalogError(problems);

    this._entries = Object.freeze(entries.map((e) => Object.freeze({ ...e })));
    for (const entry of this._entries) {
      const compiled = compileEntry(entry);
      if (entry.org !== undefined) {
        let table = this._orgTables.get(entry.org);
        if (!table) this._orgTables.set(entry.org, (table = new PriceTable()));
        table.add(compiled);
      } else if (entry.source === 'admin') this._adminTable.add(compiled);
      else this._bundledTable.add(compiled);
    }
  }

  /** The catalog of bundled list prices (see `bundledPrices`). */
  static bundled(): PriceCatalog {
    return (bundledCatalog ??= new PriceCatalog(bundledPrices, BUNDLED_LIST));
  }

  /** A new catalog with these entries added (for example admin prices on top of the bundled ones). */
  withEntries(extra: readonly PriceEntry[]): PriceCatalog {
    return new PriceCatalog([...this._entries, ...extra]);
  }

  /** Every entry, as given (frozen). */
  entries(): readonly PriceEntry[] {
    return this._entries;
  }

  /**
   * Prices one call: cost = Σ tokens[type] × price[type], exact in pico-USD.
   * Unknown provider/model, or no entry effective at `timeMs`: `priced: false`,
   * `costPicoUsd: 0n` (count it as unpriced, never as $0). Throws a `RangeError`
   * when a token count is not a non-negative safe integer (an absent one counts as 0).
   */
  price(call: PriceCall): PriceResult {
    const model = call.model;
    if (model === undefined || model === '') return UNPRICED;
    const candidates = this._candidates(call.provider, model, call.org ?? '');
    const t = call.timeMs;
    for (const layer of candidates) {
      for (const compiled of layer) {
        if (compiled.fromMs <= t && t < compiled.toMs) return cost(compiled, call);
      }
    }
    return UNPRICED;
  }

  /** The entry that would price a call of this provider/model/org at `timeMs`, if any. */
  resolve(provider: string, model: string, timeMs: number, org?: string): PriceEntry | undefined {
    for (const layer of this._candidates(provider, model, org ?? '')) {
      for (const compiled of layer) if (compiled.fromMs <= timeMs && timeMs < compiled.toMs) return compiled.entry;
    }
    return undefined;
  }

  private _candidates(provider: string, model: string, org: string): Candidates {
    const hit = this._memo.get(provider)?.get(model)?.get(org);
    if (hit) return hit;
    const found = this._lookup(provider, model, org);
    if (this._memoSize >= PRICE_MEMO_LIMIT) {
      this._memo.clear();
      this._memoSize = 0;
    }
    let models = this._memo.get(provider);
    if (!models) this._memo.set(provider, (models = new Map()));
    let orgs = models.get(model);
    if (!orgs) models.set(model, (orgs = new Map()));
    orgs.set(org, found);
    this._memoSize++;
    return found;
  }

  private _lookup(provider: string, model: string, org: string): Candidates {
    const rawProvider = provider.trim().toLowerCase();
    const rawModel = model.trim().toLowerCase();
    const providers = unique([rawProvider, canonicalProvider(provider, model)]);
    const models = unique([rawModel, normaliseModel(model)]);
    const keys: [string, string][] = [];
    for (const p of providers) for (const m of models) keys.push([p, m]);

    const layers = [org === '' ? undefined : this._orgTables.get(org), this._adminTable, this._bundledTable];
    const out: CompiledEntry[][] = [];
    for (const table of layers) {
      if (!table) continue;
      for (const [p, m] of keys) {
        const found = table.find(p, m);
        if (found.length > 0) {
          out.push([...found].sort((a, b) => b.fromMs - a.fromMs));
          break;
        }
      }
    }
    return out;
  }
}

/** Built on first use: immutable, so one instance serves every caller. */
let bundledCatalog: PriceCatalog | undefined;

function cost(compiled: CompiledEntry, call: PriceCall): PriceResult {
  const tokens = call.tokens;
  const input = count(tokens.input, 'input');
  const output = count(tokens.output, 'output');
  const cacheRead = count(tokens.cache_read, 'cache_read');
  const cacheWrite = count(tokens.cache_write, 'cache_write');
  const reasoning = count(tokens.reasoning, 'reasoning');
  const write1h = call.cacheWrite1hTokens === undefined ? 0 : count(call.cacheWrite1hTokens, 'cacheWrite1hTokens');
  if (write1h > cacheWrite) throw new RangeError(`cacheWrite1hTokens (${write1h}) exceeds tokens.cache_write (${cacheWrite})`);

  let rates: CompiledRates = compiled.rates;
  let tier: string | undefined;
  if (compiled.tiers.length > 0) {
    const serviceTier = call.serviceTier === undefined ? undefined : call.serviceTier.toLowerCase();
    const st = serviceTier === undefined || BASE_SERVICE_TIERS.has(serviceTier) ? undefined : serviceTier;
    const totalInput = input + cacheRead + cacheWrite;
    for (const candidate of compiled.tiers) {
      if (candidate.serviceTier !== undefined && candidate.serviceTier !== st) continue;
      if (totalInput < candidate.minInputTokens) continue;
      rates = candidate.rates;
      tier = candidate.name;
      break;
    }
  }

  // Exact in doubles while the total stays below 2^53: every term is a non-negative integer product and
  // rounding is monotonic, so a total within the safe range proves no term or partial sum was rounded.
  const n = rates.n;
  const cacheWrite5m = cacheWrite - write1h;
  const total = input * n.input + output * n.output + cacheRead * n.cacheRead + cacheWrite5m * n.cacheWrite + write1h * n.cacheWrite1h + reasoning * n.reasoning;
  let pico: bigint;
  if (total <= Number.MAX_SAFE_INTEGER) pico = BigInt(total);
  else {
    pico =
      BigInt(input) * rates.input +
      BigInt(output) * rates.output +
      BigInt(cacheRead) * rates.cacheRead +
      BigInt(cacheWrite5m) * rates.cacheWrite +
      BigInt(write1h) * rates.cacheWrite1h +
      BigInt(reasoning) * rates.reasoning;
  }
  const result: PriceResult = { priced: true, costPicoUsd: pico, costUsd: total <= Number.MAX_SAFE_INTEGER ? total / 1e12 : picoToUsd(pico), priceId: compiled.entry.id };
  if (tier !== undefined) result.tier = tier;
  return result;
}

function count(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new RangeError(`tokens.${name} must be a non-negative integer, got ${String(value)}`);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
