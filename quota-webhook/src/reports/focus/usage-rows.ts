/**
 * FOCUS 1.2 rows from the ledger: one per day (in the report's time zone) ×
 * subject (org, department, user, feature, project, service) × provider × model ×
 * service tier × price × token type. Records arrive in time order, so each
 * day's rows are complete when the next day starts: only one day is held in
 * memory. Tags carry the attribution; SubAccount is the department;
 * BillingAccount the organisation.
 */
import { canonicalProvider, formatUsd } from '@tokenmeter/instrumentation/pricing';
import { nextWindowStart, windowStart } from '../../quotas/periods.js';
import type { LedgerRow } from '../../store/types.js';
import { decimal } from '../decimal.js';
import { modelOf } from '../ledger-scan.js';
import type { FocusRow, ReportPeriod } from '../model.js';
import { TOKEN_TYPES, type CostSplitter, type TokenType } from './cost-split.js';

/** BillingAccountId when a record has no organisation (the column allows no null). */
export const NO_ORG_ACCOUNT = 'unassigned';

const TYPE_LABEL: Record<TokenType, string> = {
  input: 'input tokens', output: 'output tokens', cache_read: 'cached input tokens', cache_write: 'cache write tokens', reasoning: 'reasoning tokens',
};
const SKU_METER: Record<TokenType, string> = {
  input: 'Input Tokens', output: 'Output Tokens', cache_read: 'Cache Read Tokens', cache_write: 'Cache Write Tokens', reasoning: 'Reasoning Tokens',
};
const PUBLISHERS: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google', mistral: 'Mistral AI' };

/** Who sells and invoices the service: a cloud host when the call went through one, else the model's vendor. */
export function hostName(provider: string): string {
  const p = provider.trim().toLowerCase();
  if (p === 'aws.bedrock' || p === 'bedrock') return 'Amazon Web Services';
  if (p.startsWith('azure') || p === 'az.ai.openai') return 'Microsoft';
  if (p.startsWith('gcp.') || p.startsWith('vertex')) return 'Google Cloud';
  return PUBLISHERS[canonicalProvider(provider, '')] ?? provider;
}

export function publisherName(provider: string, model: string): string {
  return PUBLISHERS[canonicalProvider(provider, model)] ?? provider;
}

/** FOCUS Date/Time: `YYYY-MM-DDTHH:mm:ssZ`. */
export function focusTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Group {
  r: LedgerRow;
  model: string;
  type: TokenType;
  priceId: string | null;
  tier: string | null;
  tokens: number;
  effective: bigint;
  contracted: bigint;
  list: bigint;
  contractedRate: bigint | null;
  listRate: bigint | null;
}

export class FocusDay {
  private readonly _groups = new Map<string, Group>();

  constructor(private readonly _splitter: CostSplitter) {}

  get size(): number {
    return this._groups.size;
  }

  add(r: LedgerRow): void {
    const model = modelOf(r) ?? 'unknown';
    const split = this._splitter.split(r);
    const subject = [r.org, r.department, r.user_id, r.feature, r.project, r.service, r.provider, model, r.service_tier].map((v) => v ?? '').join('\0');
    if (split === null) {
      for (const t of TOKEN_TYPES) {
        if (r[t] > 0) this._merge(`${subject}\0\0\0${t}`, { r, model, type: t, priceId: null, tier: null, tokens: r[t], effective: 0n, contracted: 0n, list: 0n, contractedRate: null, listRate: null });
      }
      return;
    }
    for (const p of split.parts) {
      this._merge(`${subject}\0${split.priceId}\0${split.tier ?? ''}\0${p.type}`, {
        r, model, type: p.type, priceId: split.priceId, tier: split.tier, tokens: p.tokens, effective: p.effective,
        contracted: p.contracted, list: p.list, contractedRate: p.contractedRate, listRate: p.listRate,
      });
    }
  }

  private _merge(key: string, g: Group): void {
    const have = this._groups.get(key);
    if (!have) {
      this._groups.set(key, g);
      return;
    }
    have.tokens += g.tokens;
    have.effective += g.effective;
    have.contracted += g.contracted;
    have.list += g.list;
  }

  /** The day's rows (sorted by their key, so the output is deterministic), and a fresh start. */
  drain(dayStart: number, period: ReportPeriod): FocusRow[] {
    const tz = period.timezone;
    const chargeStart = focusTime(Math.max(dayStart, period.from));
    const chargeEnd = focusTime(Math.min(nextWindowStart('day', dayStart, tz), period.to));
    const billingStart = focusTime(windowStart('month', dayStart, tz));
    const billingEnd = focusTime(nextWindowStart('month', dayStart, tz));
    const keys = [...this._groups.keys()].sort();
    const rows = keys.map((k) => row(this._groups.get(k)!, { chargeStart, chargeEnd, billingStart, billingEnd }));
    this._groups.clear();
    return rows;
  }
}

function row(g: Group, t: { chargeStart: string; chargeEnd: string; billingStart: string; billingEnd: string }): FocusRow {
  const r = g.r;
  const tags: Record<string, string> = {};
  for (const [k, v] of [['org', r.org], ['department', r.department], ['user', r.user_id], ['feature', r.feature], ['project', r.project], ['service', r.service]] as const) {
    if (v !== null) tags[k] = v;
  }
  const unpriced = g.priceId === null;
  const tierText = r.service_tier !== null && r.service_tier !== '' ? ` (${r.service_tier})` : '';
  return {
    BilledCost: formatUsd(g.effective),
    BillingAccountId: r.org ?? NO_ORG_ACCOUNT,
    BillingAccountName: r.org,
    BillingCurrency: 'USD',
    BillingPeriodEnd: t.billingEnd,
    BillingPeriodStart: t.billingStart,
    ChargeCategory: 'Usage',
    ChargeClass: null,
    ChargeDescription: `${g.model} ${TYPE_LABEL[g.type]}${tierText}${unpriced ? ', unpriced' : ''}`,
    ChargeFrequency: 'Usage-Based',
    ChargePeriodEnd: t.chargeEnd,
    ChargePeriodStart: t.chargeStart,
    ConsumedQuantity: String(g.tokens),
    ConsumedUnit: 'Tokens',
    ContractedCost: formatUsd(g.contracted),
    ContractedUnitPrice: g.contractedRate === null ? null : decimal(g.contractedRate, 6),
    EffectiveCost: formatUsd(g.effective),
    InvoiceIssuerName: hostName(r.provider),
    ListCost: formatUsd(g.list),
    ListUnitPrice: g.listRate === null ? null : decimal(g.listRate, 6),
    PricingQuantity: decimal(BigInt(g.tokens), 6),
    PricingUnit: '1000000 Tokens',
    ProviderName: hostName(r.provider),
    PublisherName: publisherName(r.provider, g.model),
    ServiceCategory: 'AI and Machine Learning',
    ServiceName: g.model,
    ServiceSubcategory: 'Generative AI',
    SkuId: `${r.provider}/${g.model}`,
    SkuMeter: SKU_METER[g.type],
    SkuPriceId: g.priceId === null ? null : `${g.priceId}${g.tier === null ? '' : `#${g.tier}`}#${g.type}`,
    SubAccountId: r.department,
    SubAccountName: r.department,
    Tags: Object.keys(tags).length === 0 ? null : JSON.stringify(tags),
    x_TokenType: g.type,
    x_ServiceTier: r.service_tier,
    x_PriceTier: g.tier,
    x_PriceId: g.priceId,
    x_Unpriced: unpriced ? 'true' : 'false',
    x_Allocation: null,
  };
}

/** FOCUS rows of the records in `pages`, one page per day. */
export async function* focusRowsFromLedger(pages: AsyncIterable<readonly LedgerRow[]>, period: ReportPeriod, splitter: CostSplitter): AsyncGenerator<FocusRow[]> {
  const day = new FocusDay(splitter);
  let current = Number.NaN;
  for await (const page of pages) {
    for (const r of page) {
      const d = windowStart('day', r.time_ms, period.timezone);
      if (d !== current) {
        if (day.size > 0) yield day.drain(current, period);
        current = d;
      }
      day.add(r);
    }
  }
  if (day.size > 0) yield day.drain(current, period);
}
