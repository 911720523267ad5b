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

/** The attribution and call fields a row shows (kept per group instead of the whole ledger row). */
interface Subject {
  org: string | null;
  department: string | null;
  user: string | null;
  feature: string | null;
  project: string | null;
  service: string | null;
  provider: string;
  serviceTier: string | null;
}

interface Group {
  s: Subject;
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
  private _groups = new Map<string, Group>();

  constructor(private readonly _splitter: CostSplitter) {}

  get size(): number {
    return this._groups.size;
  }

  add(r: LedgerRow): void {
    const model = modelOf(r) ?? 'unknown';
    const split = this._splitter.split(r);
    const subject = `${r.org ?? ''}\0${r.department ?? ''}\0${r.user_id ?? ''}\0${r.feature ?? ''}\0${r.project ?? ''}\0${r.service ?? ''}\0${r.provider}\0${model}\0${r.service_tier ?? ''}`;
    const s = (): Subject => ({
      org: r.org, department: r.department, user: r.user_id, feature: r.feature, project: r.project, service: r.service, provider: r.provider, serviceTier: r.service_tier,
    });
    if (split === null) {
      for (const t of TOKEN_TYPES) {
        if (r[t] > 0) this._merge(`${subject}\0\0\0${t}`, s, { model, type: t, priceId: null, tier: null, tokens: r[t], effective: 0n, contracted: 0n, list: 0n, contractedRate: null, listRate: null });
      }
      return;
    }
    for (const p of split.parts) {
      this._merge(`${subject}\0${split.priceId}\0${split.tier ?? ''}\0${p.type}`, s, {
        model, type: p.type, priceId: split.priceId, tier: split.tier, tokens: p.tokens, effective: p.effective,
        contracted: p.contracted, list: p.list, contractedRate: p.contractedRate, listRate: p.listRate,
      });
    }
  }

  private _merge(key: string, subject: () => Subject, g: Omit<Group, 's'>): void {
    const have = this._groups.get(key);
    if (!have) {
      this._groups.set(key, { s: subject(), ...g });
      return;
    }
    have.tokens += g.tokens;
    have.effective += g.effective;
    have.contracted += g.contracted;
    have.list += g.list;
  }

  /** The day's rows, sorted by their key (deterministic output), in pages of `pageSize`; the day starts afresh. */
  *drain(dayStart: number, period: ReportPeriod, pageSize = 500): Generator<FocusRow[]> {
    const tz = period.timezone;
    const t = {
      chargeStart: focusTime(Math.max(dayStart, period.from)),
      chargeEnd: focusTime(Math.min(nextWindowStart('day', dayStart, tz), period.to)),
      billingStart: focusTime(windowStart('month', dayStart, tz)),
      billingEnd: focusTime(nextWindowStart('month', dayStart, tz)),
    };
    const groups = this._groups;
    this._groups = new Map();
    const keys = [...groups.keys()].sort();
    for (let i = 0; i < keys.length; i += pageSize) yield keys.slice(i, i + pageSize).map((k) => row(groups.get(k)!, t));
  }
}

function row(g: Group, t: { chargeStart: string; chargeEnd: string; billingStart: string; billingEnd: string }): FocusRow {
  const r = g.s;
  const tags: Record<string, string> = {};
  for (const [k, v] of [['org', r.org], ['department', r.department], ['user', r.user], ['feature', r.feature], ['project', r.project], ['service', r.service]] as const) {
    if (v !== null) tags[k] = v;
  }
  const unpriced = g.priceId === null;
  const tierText = r.serviceTier !== null && r.serviceTier !== '' ? ` (${r.serviceTier})` : '';
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
    x_ServiceTier: r.serviceTier,
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
        if (day.size > 0) yield* day.drain(current, period);
        current = d;
      }
      day.add(r);
    }
  }
  if (day.size > 0) yield* day.drain(current, period);
}
