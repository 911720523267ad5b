/**
 * `/analytics/*` (read role): summary, timeseries, seasonality, forecast,
 * anomalies and quota suggestions. The common parameters (`scope` + `subject`,
 * `tz`, `as_of`, `from`/`to`) are parsed by analytics-params.ts, as for
 * chargeback and recommendations. Money is exact decimal strings named `*_usd`.
 */
import { z } from 'zod';
import { QUOTA_SCOPES } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import { anomaliesAnswer, ANOMALY_METRICS } from '../analytics/anomalies.js';
import type { AnalyticsRequest } from '../analytics/context.js';
import { forecastAnswer, MAX_HORIZON_DAYS } from '../analytics/forecast.js';
import { FORECAST_METHODS } from '../analytics/methods/daily-forecast.js';
import { quotaSuggestionsAnswer } from '../analytics/quota-suggestions.js';
import { seasonalityAnswer } from '../analytics/seasonality.js';
import { ANALYTICS_SCOPES, EVERYTHING } from '../analytics/series.js';
import { summaryAnswer } from '../analytics/summary.js';
import { GRANULARITIES } from '../analytics/time-buckets.js';
import { timeseriesAnswer } from '../analytics/timeseries.js';
import { parseCommon, subjectFields, windowFields, type CommonOptions, type CommonQuery } from './analytics-params.js';
import { intParam } from './params.js';
import type { Api } from './route.js';
const decimal = (what: string) => z.string().regex(/^\d+(\.\d+)?$/, `must be a non-negative decimal number (${what})`).transform(Number);
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const summaryQuery = z.strictObject(subjectFields);
export const timeseriesQuery = z.strictObject({
  metric: z.enum(['cost', 'tokens', 'requests', 'errors']).optional(),
  granularity: z.enum(GRANULARITIES).optional(),
  ...windowFields,
  group_by: z.enum(ANALYTICS_SCOPES).optional(),
  limit: intParam(1, 1000).optional().describe('groups listed (the rest are summed as `other`; default 20)'),
});
export const seasonalityQuery = z.strictObject({ ...subjectFields, metric: z.enum(['cost', 'tokens', 'requests', 'errors']).optional() });
export const forecastQuery = z.strictObject({
  ...subjectFields,
  metric: z.enum(['cost', 'tokens', 'requests']).optional(),
  horizon: z.string().regex(/^(month_end|\d{1,3}d)$/, 'must be "month_end" or a number of days such as "7d"')
    .refine((h) => h === 'month_end' || (Number(h.slice(0, -1)) >= 1 && Number(h.slice(0, -1)) <= MAX_HORIZON_DAYS), { message: `days must be from 1 to ${MAX_HORIZON_DAYS}` })
    .optional().describe('month_end (default) or <N>d: N daily points from today'),
});
export const anomaliesQuery = z.strictObject({
  ...windowFields,
  metric: z.enum(ANOMALY_METRICS).optional(),
  granularity: z.enum(['hour', 'day']).optional(),
  min_impact_usd: decimal('USD').optional().describe('least money impact of a reported anomaly (default 1)'),
  explain: bool.optional().describe('attribute each anomaly to users, features and models (default true)'),
});
/** Here `scope` is a grouping, not half of a subject: the dimension to suggest quotas for, alone or with one subject. */
export const suggestionsQuery = z.strictObject({
  ...subjectFields,
  scope: z.enum(QUOTA_SCOPES).optional().describe('A grouping here: the dimension to suggest quotas for (default department); valid without subject'),
  subject: subjectFields.subject.describe('One subject of scope (default: every subject with usage in the baseline)'),
  metric: z.enum(['cost', 'tokens', 'requests']).optional(),
  period: z.enum(['day', 'month']).optional(),
  quantile: decimal('0.5 to 0.999').refine((q) => q >= 0.5 && q <= 0.999, { message: 'must be from 0.5 to 0.999' }).optional(),
  headroom: decimal('1 to 10').refine((h) => h >= 1 && h <= 10, { message: 'must be from 1 to 10' }).optional(),
  limit: intParam(1, 10_000).optional(),
});

/** Resolves subject, zone, as_of and the range (epoch ms), or a 400 naming the parameter. */
function requestOf(cp: ControlPlane, q: CommonQuery, options?: CommonOptions): AnalyticsRequest & { from?: number; to?: number } {
  const p = parseCommon(q, cp.clock(), options);
  return {
    target: p.scope === undefined || p.subject === undefined ? EVERYTHING : { scope: p.scope, subject: p.subject },
    tz: p.tz,
    asOf: p.asOfMs,
    ...(p.fromMs !== undefined ? { from: p.fromMs } : {}),
    ...(p.toMs !== undefined ? { to: p.toMs } : {}),
  };
}

const money = z.string().describe('exact decimal USD');
const interval = z.object({ expected_usd: money, lower_80_usd: money, upper_80_usd: money, lower_95_usd: money, upper_95_usd: money });
const countInterval = z.object({ expected: z.number(), lower_80: z.number(), upper_80: z.number(), lower_95: z.number(), upper_95: z.number() });
/** `*_usd` strings for metric=cost, numbers for tokens and requests. */
const metricInterval = <T extends z.core.$ZodLooseShape>(extra: T) => z.union([interval.extend(extra), countInterval.extend(extra)]);
const limitSchema = z.looseObject({
  id: z.string(), kind: z.enum(['quota', 'budget']), name: z.string().nullable().describe("the quota's or budget's name (null when it has none)"), scope: z.string(), subject: z.string(), metric: z.string(), period: z.string(),
  timezone: z.string(), limit_usd: money.optional(), usage_usd: money.optional(), limit: z.number().optional(), usage: z.number().optional(), utilization: z.number(),
  window_start: z.string(), window_end: z.string(), crossed: z.boolean(),
  probability_exceeded: z.number().optional(), expected_crossing: z.string().nullable().optional(),
});
const forecastMethod = z.enum(FORECAST_METHODS).describe('how the forecast was made (method_detail says it in words): none = no usage at all; today_run_rate = no complete day yet, today\'s rate so far; mean, weekday_mean, ensemble, weighted as history grows');
const echoSchema = { scope: z.string().nullable(), subject: z.string().nullable(), tz: z.string(), as_of: z.string() };
export const forecastResponse = z.looseObject({
  ...echoSchema, metric: z.string(), horizon: z.string(), method: forecastMethod, method_detail: z.string(),
  history: z.array(z.looseObject({ time: z.string(), actual_usd: money.optional(), actual: z.number().optional() })).describe('the month so far: cumulative usage at the end of each day (today: so far)'),
  history_seen: z.looseObject({ days: z.number(), from: z.string().nullable() }),
  month_to_date_usd: money.optional(), month_to_date: z.number().optional(), month_end: metricInterval({}),
  points: z.array(metricInterval({ time: z.string() })).describe('cumulative since the start of the month, per day from today'),
  daily: z.array(metricInterval({ time: z.string() })).describe("each day's own amount"),
  hourly_points: z.array(metricInterval({ time: z.string() })).optional(),
  budgets: z.array(limitSchema.extend({ expected_at_window_end: metricInterval({}) })),
});
export const summaryResponse = z.looseObject({
  ...echoSchema, today_usd: money, last_hour_usd: money, hourly_rate_usd: money, month_to_date_usd: money,
  projected_month_end: z.object({ expected_usd: money, lower_80_usd: money, upper_80_usd: money }),
  today: z.looseObject({ cost_usd: money }), last_hour: z.looseObject({ cost_usd: money }),
  month_to_date: z.looseObject({ cost_usd: money }), month_end: interval, method: forecastMethod,
  cost_per_request_usd: money.nullable(), cost_per_session_usd: money.nullable(), cost_per_investigation_usd: money.nullable(),
  limits: z.array(limitSchema),
});
export const anomaliesResponse = z.looseObject({
  ...echoSchema, metric: z.string(), from: z.string(), to: z.string(), anomalies: z.array(z.looseObject({
    id: z.string(), start: z.string(), end: z.string(), bucket_start: z.string(), kind: z.string(), direction: z.enum(['up', 'down']),
    impact_usd: money, score: z.number(), detected_at: z.string(),
    explained_by: z.record(z.string(), z.array(z.looseObject({ key: z.string().nullable(), share: z.number() }))).optional(),
    explanation: z.array(z.object({ dimension: z.string(), value: z.string().nullable(), share: z.number() })).optional(),
  })),
});

export function mountAnalytics(api: Api, cp: ControlPlane): void {
  const tag = 'analytics';
  const roles = ['read'] as const;
  api.add({ method: 'get', path: '/analytics/summary', tag, roles, query: summaryQuery, response: summaryResponse,
    summary: 'Today, the last hour, the hourly rate, month-to-date, projected month end (80/95 % intervals), cost per request/session/investigation, and every applicable quota and budget' },
  ({ query }) => summaryAnswer(cp, requestOf(cp, query)));

  api.add({ method: 'get', path: '/analytics/timeseries', tag, roles, query: timeseriesQuery,
    summary: 'A metric per local hour, day, week (from Monday) or month, optionally grouped by one dimension, with the change against the previous bucket and period' },
  ({ query }) => {
    const { from, to, ...req } = requestOf(cp, query);
    return timeseriesAnswer(cp, req, {
      metric: query.metric ?? 'cost', granularity: query.granularity ?? 'day', ...(query.group_by ? { groupBy: query.group_by } : {}),
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), limit: query.limit ?? 20,
    });
  });

  api.add({ method: 'get', path: '/analytics/seasonality', tag, roles, query: seasonalityQuery,
    summary: 'The daily (hourly data) and weekly (daily data) cycles: present or not, strength, significance and profile; says when there are fewer than three cycles' },
  ({ query }) => seasonalityAnswer(cp, requestOf(cp, query), query.metric ?? 'cost'));

  api.add({ method: 'get', path: '/analytics/forecast', tag, roles, query: forecastQuery, response: forecastResponse,
    summary: 'Daily (and, for 2 days or less, hourly) forecast with 80/95 % intervals, the month end, the method and history used, and per applicable quota and budget the probability of exceeding it this period and the expected crossing date' },
  ({ query }) => {
    const h = query.horizon ?? 'month_end';
    return forecastAnswer(cp, requestOf(cp, query), { metric: query.metric ?? 'cost', horizon: h === 'month_end' ? 'month_end' : Number(h.slice(0, -1)) });
  });

  api.add({ method: 'get', path: '/analytics/anomalies', tag, roles, query: anomaliesQuery, response: anomaliesResponse,
    summary: 'Spikes, drops and level shifts of cost or requests, token-per-call jumps and failed-request surges against the same hour of week (or weekday) over 8 weeks, with money impact and the users, features and models that explain them' },
  ({ query }) => {
    const { from, to, ...req } = requestOf(cp, query);
    return anomaliesAnswer(cp, req, {
      metric: query.metric ?? 'cost', granularity: query.granularity ?? 'hour', ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}), minImpactUsd: query.min_impact_usd ?? 1, explain: query.explain ?? true,
    });
  });

  api.add({ method: 'get', path: '/analytics/quota-suggestions', tag, roles, query: suggestionsQuery,
    summary: 'Suggested quota limits per subject from the last 30 days (distribution, how often the limit would have been crossed, and a POST /api/v1/quotas body)' },
  ({ query }) => {
    const scope = query.scope ?? 'department';
    const req = requestOf(cp, { ...query, scope }, { scope: 'grouping' });
    return quotaSuggestionsAnswer(cp, req, {
      scope, ...(query.subject !== undefined ? { subject: query.subject } : {}), metric: query.metric ?? 'cost', period: query.period ?? 'month',
      quantile: query.quantile ?? 0.95, headroom: query.headroom ?? 1.2, limit: query.limit ?? 100,
    });
  });
}
