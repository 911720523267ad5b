/**
 * FOCUS 1.2 rows of a chargeback: per subject one row of its direct spend
 * and one of the shared spend allocated to it, over the report's period
 * (the allocation answers per period, not per day or token type). The
 * charges are issued internally (ProviderName, PublisherName and
 * InvoiceIssuerName `tokenmeter`); Tags carry the scope, the subject and the
 * allocation rules. ListCost and ContractedCost equal the allocated cost:
 * the allocation carries no list price.
 */
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import { nextWindowStart, windowStart } from '../../quotas/periods.js';
import type { FocusRow, ReportPeriod } from '../model.js';
import type { AllocationResult } from '../kinds/sources.js';
import { ReportInputError } from '../errors.js';
import { focusTime } from './usage-rows.js';

export const INTERNAL_ISSUER = 'tokenmeter';

/** A FOCUS row belongs to one billing period: the chargeback export covers one calendar month at most. */
export function checkChargebackFocusPeriod(period: ReportPeriod): void {
  if (period.to > nextWindowStart('month', period.from, period.timezone)) {
    throw new ReportInputError('period', `a chargeback FOCUS export covers one calendar month at most (${focusTime(period.from)} to ${focusTime(period.to)} spans more); use last_month, month_to_date or dates within one month`);
  }
}

export function chargebackFocusRows(a: AllocationResult, period: ReportPeriod, scope: string): FocusRow[] {
  checkChargebackFocusPeriod(period);
  const billingStart = windowStart('month', period.from, period.timezone);
  const billingEnd = nextWindowStart('month', period.from, period.timezone);
  const rows: FocusRow[] = [];
  for (const r of a.rows) {
    for (const part of ['direct', 'shared'] as const) {
      const amount = part === 'direct' ? r.direct_usd : r.shared_usd;
      if (parseUsd(amount) === 0n) continue;
      const tags: Record<string, string> = { scope, subject: r.subject, allocation: part };
      if (part === 'shared' && r.rule_ids && r.rule_ids.length > 0) tags.allocation_rules = r.rule_ids.join(' ');
      rows.push({
        BilledCost: amount, BillingAccountId: `${scope}:${r.subject}`, BillingAccountName: r.subject, BillingCurrency: 'USD',
        BillingPeriodEnd: focusTime(billingEnd), BillingPeriodStart: focusTime(billingStart),
        ChargeCategory: 'Usage', ChargeClass: null,
        ChargeDescription: part === 'direct' ? `Direct LLM spend of ${scope} ${r.subject}` : `Shared LLM spend allocated to ${scope} ${r.subject}`,
        ChargeFrequency: 'Usage-Based', ChargePeriodEnd: focusTime(period.to), ChargePeriodStart: focusTime(period.from),
        ConsumedQuantity: null, ConsumedUnit: null, ContractedCost: amount, ContractedUnitPrice: null, EffectiveCost: amount,
        InvoiceIssuerName: INTERNAL_ISSUER, ListCost: amount, ListUnitPrice: null, PricingQuantity: null, PricingUnit: null,
        ProviderName: INTERNAL_ISSUER, PublisherName: INTERNAL_ISSUER, ServiceCategory: 'AI and Machine Learning',
        ServiceName: 'LLM usage', ServiceSubcategory: 'Generative AI', SkuId: null, SkuMeter: null, SkuPriceId: null,
        SubAccountId: null, SubAccountName: null, Tags: JSON.stringify(tags),
        x_TokenType: null, x_ServiceTier: null, x_PriceTier: null, x_PriceId: null, x_Unpriced: 'false', x_Allocation: part,
      });
    }
  }
  return rows;
}
