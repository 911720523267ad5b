/**
 * `GET /analytics/summary`: the figures people ask for every day, all as of
 * `as_of` in the request's zone: today so far, the last hour (the 60
 * minutes before as_of) and the current hourly rate (the mean of the last
 * three hours), month-to-date (exact), the projected month end with its 80 %
 * and 95 % intervals (the forecast engine), cost per request, session and
 * investigation this month, and the utilisation of every quota and budget
 * that applies (a user's department and org limits included).
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { costSum, num } from '../store/rows.js';
import { costSumSql } from '../store/sql.js';
import { echo, HOUR_MS, timeIn, usdString, type AnalyticsRequest } from './context.js';
import { forecastFrom, loadDailyData, METHOD_TEXT } from './forecast.js';
import { applicableLimits, limitStatuses, limitView } from './limits.js';
import { columnOf, sumUsage, totalTokens, type AnalyticsScope, type Usage } from './series.js';
import { bucketStart } from './time-buckets.js';

function usageView(u: Usage): Record<string, unknown> {
  return { cost_usd: formatUsd(u.cost_pico), requests: u.requests, tokens: totalTokens(u), errors: u.errors, unpriced_requests: u.unpriced };
}

/** Exact usage of [from, to) for the target (15-minute rollup plus records at the edges). */
async function usageBetween(cp: ControlPlane, req: AnalyticsRequest, from: number, to: number): Promise<Usage> {
  const rows = await cp.queries.series({ scope: req.target.scope, subject: req.target.subject, from, to });
  return sumUsage(rows.map((r) => ({ ...r })));
}

/** Distinct sessions and investigations this month, and the cost of the records that carry one. */
async function perGroup(cp: ControlPlane, req: AnalyticsRequest, from: number): Promise<{ sessions: number; investigations: number; sessionCost: bigint; investigationCost: bigint }> {
  const params: Array<string | number | bigint> = [BigInt(from), BigInt(req.asOf)];
  let where = 'time_ms >= ? AND time_ms < ?';
  if (req.target.scope !== 'all') {
    where += ` AND ${columnOf(req.target.scope as AnalyticsScope)} = ?`;
    params.push(req.target.subject);
  }
  const [r] = await cp.store.readQuery(`SELECT COUNT(DISTINCT session_id) AS sessions, COUNT(DISTINCT investigation) AS investigations,
    ${costSumSql('session', 'CASE WHEN session_id IS NOT NULL THEN cost_pico END')},
    ${costSumSql('inv', 'CASE WHEN investigation IS NOT NULL THEN cost_pico END')} FROM records WHERE ${where}`, params);
  return {
    sessions: num(r?.sessions), investigations: num(r?.investigations),
    sessionCost: r ? costSum(r, 'session') : 0n, investigationCost: r ? costSum(r, 'inv') : 0n,
  };
}

function perUnit(cost: bigint, n: number): string | null {
  if (n <= 0) return null;
  // Rounded to the pico-dollar (exact division of the exact total).
  return formatUsd((cost + BigInt(n) / 2n) / BigInt(n));
}

export async function summaryAnswer(cp: ControlPlane, req: AnalyticsRequest): Promise<Record<string, unknown>> {
  const { asOf, tz } = req;
  const [data, lastHour, last3h, groups, statuses] = await Promise.all([
    loadDailyData(cp, req, 'cost', true),
    usageBetween(cp, req, asOf - HOUR_MS, asOf),
    usageBetween(cp, req, asOf - 3 * HOUR_MS, asOf),
    perGroup(cp, req, bucketStart(asOf, 'month', tz)),
    limitStatuses(cp, req, applicableLimits(cp, req.target, { parents: true })),
  ]);
  const fc = forecastFrom(data, 1);
  const today = data.todayUsage;
  const monthUsage = data.monthUsage;
  const me = fc.monthEnd;
  const monthEnd80 = { expected_usd: usdString(me.expected), lower_80_usd: usdString(me.lower80), upper_80_usd: usdString(me.upper80) };
  return {
    ...echo(req),
    // The headline figures flat, as dashboards read them; the objects below carry the detail.
    today_usd: formatUsd(today.cost_pico),
    last_hour_usd: formatUsd(lastHour.cost_pico),
    month_to_date_usd: formatUsd(monthUsage.cost_pico),
    projected_month_end: monthEnd80,
    today: { start: timeIn(data.todayStart, tz), ...usageView(today) },
    last_hour: { from: timeIn(asOf - HOUR_MS, tz), to: timeIn(asOf, tz), ...usageView(lastHour) },
    hourly_rate_usd: formatUsd(last3h.cost_pico / 3n),
    month_to_date: { start: timeIn(data.month.start, tz), ...usageView(monthUsage) },
    month_end: {
      expected_usd: usdString(me.expected), lower_80_usd: usdString(me.lower80), upper_80_usd: usdString(me.upper80),
      lower_95_usd: usdString(me.lower95), upper_95_usd: usdString(me.upper95),
    },
    method: fc.forecast.method,
    method_detail: METHOD_TEXT[fc.forecast.method],
    history_days: data.history.length,
    cost_per_request_usd: perUnit(monthUsage.cost_pico, monthUsage.requests),
    cost_per_session_usd: perUnit(groups.sessionCost, groups.sessions),
    cost_per_investigation_usd: perUnit(groups.investigationCost, groups.investigations),
    sessions: groups.sessions,
    investigations: groups.investigations,
    limits: statuses.map(limitView),
  };
}
