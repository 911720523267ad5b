/**
 * `/api/v1/analytics/*` as the control plane answers them (the response
 * schemas in quota-webhook/src/api/analytics*.ts). Every field a page reads is
 * named here, one section per page, so following the API is an edit in this file.
 * Money is exact decimal strings (`*_usd`); nothing here invents a figure:
 * a missing endpoint is the API's error, shown by the page.
 */
import { cpGet, cpWrite } from './controlPlane';

/** Common parameters of every analytics endpoint. */
export interface AnalyticsScope {
  scope?: 'org' | 'department' | 'user' | 'feature' | 'provider' | 'model';
  subject?: string;
  tz?: string;
  as_of?: string;
}

// ---- Overview -------------------------------------------------------------

/** `GET /analytics/summary` */
export interface Summary {
  as_of: string;
  tz: string;
  today_usd: string;
  last_hour_usd: string;
  hourly_rate_usd: string;
  month_to_date_usd: string;
  projected_month_end: { expected_usd: string; lower_80_usd: string; upper_80_usd: string };
  cost_per_request_usd?: string | null;
  cost_per_session_usd?: string | null;
  cost_per_investigation_usd?: string | null;
}
export const getSummary = (q: AnalyticsScope) => cpGet<Summary>('/analytics/summary', q);

/** `GET /analytics/top` */
export interface TopRow {
  key: string | null;
  cost_usd: string;
  requests?: number;
  tokens?: number;
  /** Share of the total (0.25 = 25 %). */
  share: number;
  /** Relative change against the previous period (0.1 = +10 %), null without a previous period. */
  change: number | null;
}
export const getTop = (
  q: AnalyticsScope & { group_by: string; metric?: string; limit?: number; from?: string; to?: string }
) => cpGet<{ rows: TopRow[] }>('/analytics/top', q).then((r) => r.rows);

/** `GET /analytics/anomalies` */
export interface Anomaly {
  id: string;
  metric: string;
  kind: string;
  direction?: 'up' | 'down';
  bucket_start: string;
  /** Cost anomalies: the bucket's spend and its baseline, exact. */
  observed_usd?: string;
  expected_usd?: string;
  /** Other metrics (requests, tokens per call, error rate): plain numbers. */
  observed?: number;
  expected?: number;
  score: number;
  impact_usd: string | null;
  /** The dimensions that explain most of the difference (value null: calls without that attribute). */
  explanation?: Array<{ dimension: string; value: string | null; share: number }>;
}
export const getAnomalies = (q: AnalyticsScope & { metric?: string; from?: string; to?: string }) =>
  cpGet<{ anomalies: Anomaly[] }>('/analytics/anomalies', q).then((r) => r.anomalies);

// ---- Forecast -------------------------------------------------------------

/** Cumulative spend since the start of the month at `time` (so it meets `month_end` and the budget limits on one axis). */
export interface ForecastPoint {
  time: string;
  expected_usd: string;
  lower_80_usd: string;
  upper_80_usd: string;
  lower_95_usd: string;
  upper_95_usd: string;
}

export interface BudgetRisk {
  id: string;
  kind: 'budget' | 'quota';
  name?: string;
  scope: string;
  subject: string;
  /** Cost limits only (a token or request quota has none). */
  limit_usd?: string;
  usage_usd?: string;
  utilization: number;
  crossed: boolean;
  /** Probability that this period ends above the limit (0–1); absent when the API could not tell. */
  probability_exceeded?: number;
  /** When the expected path crosses the limit, or null. */
  expected_crossing?: string | null;
}

/** `GET /analytics/forecast?metric=cost&horizon=month_end` */
export interface Forecast {
  method: string;
  /** The method in words. */
  method_detail?: string;
  /** The daily history the method saw. */
  history_seen?: { days: number; from: string | null; weights?: Record<string, number> };
  /** Actual cumulative month-to-date spend per day. */
  history: Array<{ time: string; actual_usd: string }>;
  points: ForecastPoint[];
  month_end: {
    expected_usd: string;
    lower_80_usd: string;
    upper_80_usd: string;
    lower_95_usd: string;
    upper_95_usd: string;
  };
  /** The quotas and budgets of the forecast's subject (none for the whole organisation: limits have subjects). */
  budgets: BudgetRisk[];
}
export const getForecast = (q: AnalyticsScope & { metric?: 'cost'; horizon?: string }) =>
  cpGet<Forecast>('/analytics/forecast', { metric: 'cost', horizon: 'month_end', ...q });

/** The scopes a forecast can be asked for (the API's analytics scopes a quota can also have). */
const FORECAST_SCOPES = new Set<string>(['org', 'department', 'user', 'feature', 'provider']);

/**
 * The risk of every cost quota and budget with a named subject: the forecast
 * applies only the limits of its own subject, so this asks once per subject.
 * `*` limits (each subject its own window) have no single forecast and are left out.
 */
export async function getBudgetRisks(
  limits: Array<{ scope: string; subject: string; metric?: string }>,
  tz?: string
): Promise<BudgetRisk[]> {
  const subjects = new Map<string, { scope: string; subject: string }>();
  for (const l of limits) {
    if ((l.metric ?? 'cost') === 'cost' && l.subject !== '*' && FORECAST_SCOPES.has(l.scope)) {
      subjects.set(JSON.stringify([l.scope, l.subject]), { scope: l.scope, subject: l.subject });
    }
  }
  const answers = await Promise.all(
    [...subjects.values()].map((t) =>
      getForecast({ scope: t.scope as AnalyticsScope['scope'], subject: t.subject, ...(tz ? { tz } : {}) })
    )
  );
  const byId = new Map<string, BudgetRisk>();
  for (const b of answers.flatMap((a) => a.budgets)) {
    byId.set(`${b.kind}/${b.id}/${b.subject}`, b);
  }
  return [...byId.values()];
}

// ---- Cost allocation ------------------------------------------------------

export const SHARED_METHODS = ['even', 'proportional', 'weights'] as const;
export type SharedMethod = (typeof SHARED_METHODS)[number];
export const ALLOCATION_LEVELS = ['org', 'department', 'feature', 'investigation'] as const;

/** One row of the chargeback table: `path` from the first level down (e.g. [org, department, feature]); null: calls without that attribute. */
export interface AllocationRow {
  path: Array<string | null>;
  direct_usd: string;
  shared_usd: string;
  total_usd: string;
  requests?: number;
  tokens?: number;
}

/** `GET /analytics/allocation` */
export interface Allocation {
  from: string;
  to: string;
  shared: SharedMethod;
  levels: string[];
  rows: AllocationRow[];
  reconciliation: {
    ledger_total_usd: string;
    allocated_total_usd: string;
    difference_usd: string;
    reconciled: boolean;
  };
}
export const getAllocation = (
  q: AnalyticsScope & { from: string; to: string; shared: SharedMethod; levels?: string }
) => cpGet<Allocation>('/analytics/allocation', { levels: ALLOCATION_LEVELS.join(','), ...q });

// ---- Recommendations ------------------------------------------------------

export type Difficulty = 'low' | 'medium' | 'high';

/** `GET /analytics/recommendations` */
export interface Recommendation {
  id: string;
  kind: string;
  title: string;
  subject: { scope: string; name: string };
  estimated_monthly_savings_usd: string;
  difficulty: Difficulty;
  difficulty_reason?: string;
  confidence: number;
  /** The numbers it rests on: a list of labelled values, or an object of them. */
  evidence: Array<{ label: string; value: string | number }> | Record<string, string | number>;
  period?: { from: string; to: string };
}
export const getRecommendations = (q: AnalyticsScope = {}) =>
  cpGet<{ recommendations: Recommendation[] }>('/analytics/recommendations', q).then((r) => r.recommendations);
export const dismissRecommendation = (id: string, reason: string) =>
  cpWrite<unknown>('POST', `/analytics/recommendations/${encodeURIComponent(id)}/dismiss`, { reason });

/** Evidence as label/value pairs whichever of the two shapes the API sends. */
export function evidenceRows(e: Recommendation['evidence'] | undefined): Array<{ label: string; value: string }> {
  if (!e) {
    return [];
  }
  if (Array.isArray(e)) {
    return e.map((x) => ({ label: x.label, value: String(x.value) }));
  }
  return Object.entries(e).map(([label, value]) => ({ label, value: String(value) }));
}

// ---- Quotas: suggest from baseline ----------------------------------------

/** `GET /analytics/quota-suggestions` */
export interface QuotaSuggestion {
  scope: string;
  subject: string;
  metric: string;
  period: string;
  suggested_limit: number;
  /** Cost: the limit as an exact decimal string. */
  suggested_limit_usd?: string;
  /** How often the suggestion would have been crossed over the baseline (0–1). */
  crossing_rate?: number;
  /** Usage per period over the baseline: `*_usd` strings for cost, plain numbers for tokens and requests. */
  baseline?: {
    days: number;
    p50_usd?: string;
    p95_usd?: string;
    max_usd?: string;
    p50?: number;
    p95?: number;
    max?: number;
  };
}
export const getQuotaSuggestions = (q: { scope: string; metric: string; period: string; subject?: string }) =>
  cpGet<{ suggestions: QuotaSuggestion[] }>('/analytics/quota-suggestions', q).then((r) => r.suggestions);
