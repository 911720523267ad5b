/**
 * `GET /analytics/quota-suggestions`: "establish a baseline, then configure
 * quotas". For every subject of a scope (or one), its daily usage over the
 * 30 complete local days before as_of is the baseline; the suggested limit
 * is a high quantile of usage per period with headroom (methods/
 * suggestions.ts), with the distribution it came from and how often it
 * would have been crossed. Each suggestion carries the body an admin can
 * send as is to `POST /api/v1/quotas` (a soft quota, to watch before
 * enforcing).
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { QuotaScope } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import { suggestLimit } from './methods/suggestions.js';
import { DAY_MS, echo, timeIn, usdString, valueOf, type AnalyticsRequest, type ForecastMetric } from './context.js';
import { localSeries } from './series.js';
import { bucketStart } from './time-buckets.js';

export const BASELINE_DAYS = 30;

export interface SuggestionQuery {
  scope: QuotaScope;
  subject?: string;
  metric: ForecastMetric;
  period: 'day' | 'month';
  quantile: number;
  headroom: number;
  limit: number;
}

export async function quotaSuggestionsAnswer(cp: ControlPlane, req: AnalyticsRequest, q: SuggestionQuery): Promise<Record<string, unknown>> {
  const { tz, asOf } = req;
  const to = bucketStart(asOf, 'day', tz);
  const from = bucketStart(to - BASELINE_DAYS * DAY_MS, 'day', tz);
  const series = await localSeries(cp, { scope: q.scope, ...(q.subject !== undefined ? { subject: q.subject } : {}), from, to, tz, granularity: 'day', measures: q.metric });
  const cost = q.metric === 'cost';
  const fmt = (x: number): string | number => (cost ? usdString(x) : Math.round(x * 1000) / 1000);
  const key = (name: string): string => (cost ? `${name}_usd` : name);
  const rows = [...series.bySubject.entries()].map(([subject, list]) => {
    const daily = series.starts.map((_, i) => (list[i] ? valueOf(list[i]!, q.metric) : 0));
    const total = daily.reduce((a, b) => a + b, 0);
    const s = suggestLimit(daily, q.period, { quantile: q.quantile, headroom: q.headroom, integer: !cost });
    return { subject, total, s };
  }).filter((r) => r.total > 0).sort((a, b) => b.total - a.total || a.subject.localeCompare(b.subject));
  const suggestions = rows.slice(0, q.limit).map(({ subject, total, s }) => ({
    scope: q.scope, subject, metric: q.metric, period: q.period,
    ...(cost ? { suggested_limit_usd: formatUsd(BigInt(Math.round(s.limit * 1e6)) * 1_000_000n) } : {}),
    /** As a number, the way POST /quotas takes a limit (USD for cost). */
    suggested_limit: s.limit,
    crossing_rate: Math.round(s.crossed.rate * 10_000) / 10_000,
    baseline: { days: series.starts.length,
      [key('total')]: fmt(total), per: q.period,
      [key('mean')]: fmt(s.distribution.mean), [key('p50')]: fmt(s.distribution.p50), [key('p90')]: fmt(s.distribution.p90),
      [key('p95')]: fmt(s.distribution.p95), [key('max')]: fmt(s.distribution.max),
      periods: s.distribution.periods, ...(q.period === 'month' ? { simulated: true } : {}),
    },
    would_have_crossed: { count: s.crossed.count, of: s.crossed.of, rate: Math.round(s.crossed.rate * 10_000) / 10_000 },
    quota: { scope: q.scope, subject, metric: q.metric, period: q.period, timezone: tz, limit: s.limit, enforcement: 'soft' },
  }));
  return {
    ...echo(req), scope: q.scope, subject: q.subject ?? null, metric: q.metric, period: q.period,
    baseline: { from: timeIn(from, tz), to: timeIn(to, tz), days: series.starts.length },
    rule: `the ${Math.round(q.quantile * 100)}th percentile of usage per ${q.period} × ${q.headroom}, rounded up to two significant figures`
      + (q.period === 'month' ? '; months simulated from whole weeks of the baseline' : ''),
    subjects: rows.length,
    suggestions,
  };
}
