/**
 * `@tokenmeter/instrumentation/pricing`: the pricing engine and the bundled
 * price catalog, shared by the SDK, the collector-processor and the control
 * plane. See README.md in this folder.
 */
export { PriceCatalog, PriceCatalogError, PRICE_MEMO_LIMIT } from './price-catalog.js';
export { bundledPrices } from './catalog/index.js';
export { validatePriceEntry, parseInstant, PRICE_KEYS } from './validate.js';
export {
  parseUsd,
  parsePricePerMillion,
  formatUsd,
  picoToUsd,
  PICO_PER_USD,
  MICRO_PER_USD,
  PICO_PER_MICRO,
  PRICE_FRACTION_DIGITS,
  USD_FRACTION_DIGITS,
} from './money.js';
export { canonicalProvider, normaliseModel } from './names.js';
export { SERVICE_TIERS } from './types.js';
export { compileRates, type CompiledRates } from './compile.js';
export type {
  PriceCall,
  PriceEntry,
  PriceRates,
  PriceResult,
  PriceSource,
  PriceTier,
  PriceTierCondition,
  ServiceTier,
} from './types.js';
