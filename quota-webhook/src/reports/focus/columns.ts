/**
 * The columns tokenmeter's FOCUS 1.2 export carries: every Mandatory column,
 * the Conditional ones whose condition holds for LLM usage (sub accounts =
 * departments, SKUs = model × token type, unit prices, consumed tokens, tags)
 * and two Recommended ones, in alphabetical order, then the `x_` custom
 * columns (the column-handling rules of the specification).
 */
import { FOCUS_1_2_COLUMNS, type FocusColumnSpec } from './spec-columns.js';

export const FOCUS_COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart',
  'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName',
  'ListCost', 'ListUnitPrice', 'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName', 'ServiceCategory',
  'ServiceName', 'ServiceSubcategory', 'SkuId', 'SkuMeter', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags',
] as const;

/**
 * Custom columns: the token type of the row, the call's service tier and
 * price tier, the ledger price id, whether the row's tokens had no price
 * (its costs are then 0 because nothing is known, not because it was free),
 * and for chargeback rows whether the cost is the subject's own (`direct`)
 * or allocated shared spend (`shared`).
 */
export const FOCUS_CUSTOM_COLUMNS = ['x_TokenType', 'x_ServiceTier', 'x_PriceTier', 'x_PriceId', 'x_Unpriced', 'x_Allocation'] as const;

export const FOCUS_HEADER: readonly string[] = [...FOCUS_COLUMNS, ...FOCUS_CUSTOM_COLUMNS];

export const FOCUS_SPEC_BY_ID: ReadonlyMap<string, FocusColumnSpec> = new Map(FOCUS_1_2_COLUMNS.map((c) => [c.id, c]));
