/**
 * Control plane resources that exist today (`quota-webhook/src/api/*.ts`):
 * quotas, budgets, providers, prices, directory. Wire shapes as served.
 */
import { cpGet, cpWrite } from './controlPlane';

import {
  QUOTA_METRICS,
  QUOTA_PERIODS,
  QUOTA_SCOPES,
  type QuotaMetric,
  type QuotaPeriod,
  type QuotaScope,
} from './constants';

export { QUOTA_METRICS, QUOTA_PERIODS, QUOTA_SCOPES, type QuotaMetric, type QuotaPeriod, type QuotaScope };

export interface WindowStatus {
  subject: string;
  limit: number;
  usage: number;
  /** usage / limit, truncated to 6 decimals. */
  utilization: number;
  /** Exact, for cost quotas. */
  usage_usd?: string;
  limit_usd?: string;
  window_start: string;
  next_reset: string;
}

export interface QuotaStatus {
  quota_id: string;
  metric: QuotaMetric;
  period: QuotaPeriod;
  timezone: string;
  enforcement: 'soft' | 'hard';
  windows: WindowStatus[];
}

/** What `POST /quotas` takes. */
export interface QuotaInput {
  id?: string;
  name?: string;
  scope: QuotaScope;
  subject: string;
  metric: QuotaMetric;
  period: QuotaPeriod;
  timezone?: string;
  limit: number;
  enforcement?: 'soft' | 'hard';
  thresholds?: number[];
  org?: string;
  overrides?: Record<string, number>;
}

export interface Quota extends QuotaInput {
  id: string;
  timezone: string;
  enforcement: 'soft' | 'hard';
  thresholds: number[];
  created_at: string;
  updated_at: string;
  status?: QuotaStatus;
}

/** What `POST /budgets` takes (a soft cost quota; ids start with `budget-`). */
export interface BudgetInput {
  id?: string;
  name?: string;
  scope: QuotaScope;
  subject: string;
  amount: number;
  period?: QuotaPeriod;
  timezone?: string;
  thresholds?: number[];
  org?: string;
}

export interface Budget extends BudgetInput {
  id: string;
  period: QuotaPeriod;
  timezone: string;
  thresholds: number[];
  created_at: string;
  updated_at: string;
  status?: QuotaStatus;
}

export const listQuotas = () => cpGet<{ quotas: Quota[] }>('/quotas', { status: 'true' }).then((r) => r.quotas);
export const listBudgets = () => cpGet<{ budgets: Budget[] }>('/budgets', { status: 'true' }).then((r) => r.budgets);
export const getQuota = (id: string) => cpGet<Quota>(`/quotas/${encodeURIComponent(id)}`);
export const createQuota = (q: QuotaInput) => cpWrite<Quota>('POST', '/quotas', q);
export const replaceQuota = (id: string, q: QuotaInput) =>
  cpWrite<Quota>('PUT', `/quotas/${encodeURIComponent(id)}`, q);
export const deleteQuota = (id: string) => cpWrite<void>('DELETE', `/quotas/${encodeURIComponent(id)}`);
export const createBudget = (b: BudgetInput) => cpWrite<Budget>('POST', '/budgets', b);
export const replaceBudget = (id: string, b: BudgetInput) =>
  cpWrite<Budget>('PUT', `/budgets/${encodeURIComponent(id)}`, b);
export const deleteBudget = (id: string) => cpWrite<void>('DELETE', `/budgets/${encodeURIComponent(id)}`);

export interface ProviderLimits {
  hourly_requests?: number;
  daily_requests?: number;
  hourly_tokens?: number;
  daily_tokens?: number;
}

export interface ProviderState {
  org: string;
  provider: string;
  enabled: boolean;
  /** Lower = tried first. */
  priority: number;
  limits: ProviderLimits;
  usage?: { hour_requests: number; hour_tokens: number; day_requests: number; day_tokens: number };
}

export interface ProviderInput {
  enabled: boolean;
  priority?: number;
  limits?: ProviderLimits;
}

export const listProviders = () => cpGet<{ providers: ProviderState[] }>('/providers').then((r) => r.providers);
export const putProvider = (org: string, provider: string, p: ProviderInput) =>
  cpWrite<ProviderState>('PUT', `/providers/${encodeURIComponent(org)}/${encodeURIComponent(provider)}`, p);
export const deleteProvider = (org: string, provider: string) =>
  cpWrite<void>('DELETE', `/providers/${encodeURIComponent(org)}/${encodeURIComponent(provider)}`);

/** USD per million tokens, exact decimal strings. */
export interface PriceRates {
  input: string;
  output: string;
  cache_read?: string;
  cache_write?: string;
  cache_write_1h?: string;
  reasoning?: string;
}

export interface PriceEntry {
  id: string;
  provider: string;
  model_pattern: string;
  match?: 'exact' | 'regex';
  effective_from: string;
  effective_to?: string;
  org?: string;
  source: 'bundled' | 'admin';
  prices: PriceRates;
  tiers?: Array<{ name: string; when: Record<string, unknown>; prices: PriceRates }>;
  source_url?: string;
  notes?: string;
}

export type PriceInput = Omit<PriceEntry, 'source' | 'id'> & { id?: string };

export const listPrices = (at?: string) => cpGet<{ prices: PriceEntry[] }>('/prices', { at }).then((r) => r.prices);
export const createPrice = (p: PriceInput) => cpWrite<PriceEntry>('POST', '/prices', p);
export const replacePrice = (id: string, p: PriceInput) =>
  cpWrite<PriceEntry>('PUT', `/prices/${encodeURIComponent(id)}`, p);
export const deletePrice = (id: string) => cpWrite<void>('DELETE', `/prices/${encodeURIComponent(id)}`);
export const reprice = (r: { from: string; to: string; reason: string }) =>
  cpWrite<{ records: number; changed: number; cost_delta_usd: string }>('POST', '/prices/reprice', r);

export interface DirectoryEntry {
  user: string;
  department?: string;
  org?: string;
}
export const listDirectory = () => cpGet<{ users: DirectoryEntry[] }>('/directory').then((r) => r.users);
