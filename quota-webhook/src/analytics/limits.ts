/**
 * The quotas and budgets that apply to an analytics subject, and their
 * exact usage in the window that contains `as_of` (computed from the ledger
 * up to `as_of`, not from the running totals: a past `as_of` answers as it
 * would have then). A quota applies when its scope is the subject's and its
 * subject is the subject or `*`; with `parents`, a user's department and org
 * quotas (from the directory) apply too.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { QuotaMetric } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import { exactLimit, limitFor } from '../quotas/evaluate.js';
import { budgetAsQuota, type Quota } from '../quotas/model.js';
import { nextWindowStart, windowStart } from '../quotas/periods.js';
import { exactOf, timeIn, valueOf, type AnalyticsRequest } from './context.js';
import { groupedSeries, localSeries, type LocalSeries, type Target } from './series.js';
import { localDate } from './time-buckets.js';

export interface AppliedLimit {
  quota: Quota;
  kind: 'quota' | 'budget';
  /** The subject the limit is counted for (a user's department for a department quota). */
  target: Target;
}

export interface LimitStatus extends AppliedLimit {
  limit: number;
  limitExact: bigint;
  windowStart: number;
  windowEnd: number;
  /** Usage of the window up to as_of: exact (pico-USD or count) and in the metric's unit. */
  usageExact: bigint;
  usage: number;
  utilization: number;
  /** Start of the bucket (day, or hour for hourly windows) in which usage passed the limit, if it did. */
  crossedAt: number | null;
}

/** The quotas and budgets that apply to `target` (optionally of one metric only). */
export function applicableLimits(cp: ControlPlane, target: Target, options: { metric?: QuotaMetric; parents?: boolean } = {}): AppliedLimit[] {
  if (target.scope === 'all') return [];
  const targets: Target[] = [target];
  if (options.parents && target.scope === 'user') {
    const entry = cp.directory.get(target.subject);
    if (entry?.department) targets.push({ scope: 'department', subject: entry.department });
    if (entry?.org) targets.push({ scope: 'org', subject: entry.org });
  }
  const all: Array<{ quota: Quota; kind: 'quota' | 'budget' }> = [
    ...cp.quotaSet.quotas.list().map((quota) => ({ quota, kind: 'quota' as const })),
    ...cp.quotaSet.budgets.list().map((b) => ({ quota: budgetAsQuota(b), kind: 'budget' as const })),
  ];
  const out: AppliedLimit[] = [];
  for (const t of targets) {
    for (const { quota, kind } of all) {
      if (quota.scope !== t.scope || (quota.subject !== '*' && quota.subject !== t.subject)) continue;
      if (options.metric !== undefined && quota.metric !== options.metric) continue;
      out.push({ quota, kind, target: t });
    }
  }
  return out.sort((a, b) => a.quota.id.localeCompare(b.quota.id));
}

/** Usage per bucket of one limit's window so far (restricted to the quota's org when it has one). */
async function windowSeries(cp: ControlPlane, a: AppliedLimit, from: number, to: number): Promise<{ series: LocalSeries; key: string }> {
  const granularity = a.quota.period === 'hour' ? 'hour' : 'day';
  const q = a.quota;
  if (q.org !== undefined && a.target.scope !== 'org') {
    const series = await groupedSeries(cp, { target: a.target, groupBy: 'org', from, to, tz: q.timezone, granularity });
    return { series, key: q.org };
  }
  const series = await localSeries(cp, { scope: a.target.scope, subject: a.target.subject, from, to, tz: q.timezone, granularity });
  return { series, key: a.target.subject };
}

/** Each applied limit's window, usage so far (exact) and the bucket where it was crossed. */
export async function limitStatuses(cp: ControlPlane, req: AnalyticsRequest, applied: readonly AppliedLimit[]): Promise<LimitStatus[]> {
  return Promise.all(applied.map(async (a) => {
    const q = a.quota;
    const ws = windowStart(q.period, req.asOf, q.timezone);
    const we = nextWindowStart(q.period, req.asOf, q.timezone);
    const { series, key } = await windowSeries(cp, a, ws, req.asOf);
    const buckets = series.bySubject.get(key) ?? [];
    const limit = limitFor(q, a.target.subject);
    const limitExact = exactLimit(q, limit);
    let used = 0n;
    let crossedAt: number | null = null;
    buckets.forEach((u, i) => {
      used += exactOf(u, q.metric);
      if (crossedAt === null && used >= limitExact) crossedAt = series.starts[i]!;
    });
    const usage = buckets.reduce((s, u) => s + valueOf(u, q.metric), 0);
    return {
      ...a, limit, limitExact, windowStart: ws, windowEnd: we, usageExact: used, usage,
      utilization: Number((used * 1_000_000n) / limitExact) / 1_000_000, crossedAt,
    };
  }));
}

/** The wire form of a limit's identity, window and usage. */
export function limitView(s: LimitStatus): Record<string, unknown> {
  const q = s.quota;
  const cost = q.metric === 'cost';
  return {
    id: q.id, kind: s.kind, name: q.name ?? null, scope: q.scope, subject: s.target.subject,
    ...(q.subject === '*' ? { quota_subject: '*' } : {}), ...(q.org !== undefined ? { org: q.org } : {}),
    metric: q.metric, period: q.period, timezone: q.timezone, enforcement: q.enforcement,
    ...(cost ? { limit_usd: formatUsd(s.limitExact), usage_usd: formatUsd(s.usageExact) } : { limit: s.limit, usage: Number(s.usageExact) }),
    utilization: s.utilization,
    window_start: timeIn(s.windowStart, q.timezone), window_end: timeIn(s.windowEnd, q.timezone),
    crossed: s.crossedAt !== null,
    ...(s.crossedAt !== null ? { crossed_on: q.period === 'hour' ? timeIn(s.crossedAt, q.timezone) : localDate(s.crossedAt, q.timezone) } : {}),
  };
}
