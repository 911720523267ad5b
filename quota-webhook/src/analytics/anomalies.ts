/**
 * `GET /analytics/anomalies`: complete hour (or day) buckets in [from, to)
 * scored against the same local hour of the week (or weekday) over the 8
 * weeks before (methods/anomalies.ts): cost spikes, drops and level shifts,
 * request-count anomalies, token-per-call jumps, and failed-request surges
 * (an exact binomial test against the baseline error rate). Each anomaly
 * has its money impact (cost above or below expectation; for token jumps
 * the cost of the extra tokens; for error surges the cost of the calls that
 * failed beyond the baseline rate) and, unless `explain=false`, the values of
 * user, feature and model that explain most of the difference (the same
 * window in the 8 weeks before is their expectation).
 */
import type { ControlPlane } from '../control-plane.js';
import { costSum, num, str } from '../store/rows.js';
import { costSumSql, SUBJECT_COLUMN } from '../store/sql.js';
import { detectAnomalies, detectErrorSurges, type AnomalyEvent, type AnomalyOptions } from './methods/anomalies.js';
import { attributeDelta } from './methods/attribution.js';
import { median } from './methods/stats.js';
import { DAY_MS, echo, timeIn, usdString, valueOf, type AnalyticsRequest } from './context.js';
import { columnOf, localSeries, totalTokens, type AnalyticsScope, type Usage } from './series.js';
import { bucketStart, hourOfWeek, localTime } from './time-buckets.js';
import { picoToUsd } from '@tokenmeter/instrumentation/pricing';

export const ANOMALY_METRICS = ['cost', 'requests', 'tokens', 'tokens_per_request', 'error_rate'] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

export interface AnomalyQuery {
  metric: AnomalyMetric;
  granularity: 'hour' | 'day';
  from?: number;
  to?: number;
  /** Least |money impact| of a reported anomaly, USD. */
  minImpactUsd: number;
  explain: boolean;
}

const WEEK_MS = 7 * DAY_MS;
const BASELINE_WEEKS = 8;
const EXPLAIN_DIMENSIONS: AnalyticsScope[] = ['user', 'feature', 'model'];
const MAX_EXPLAINED = 10;

interface Loaded {
  starts: number[];
  usage: Usage[];
  /** Index of the first scored bucket. */
  first: number;
}

async function load(cp: ControlPlane, req: AnalyticsRequest, q: AnomalyQuery, from: number, to: number): Promise<Loaded> {
  const { tz, target } = req;
  const baselineFrom = bucketStart(from - (BASELINE_WEEKS + 1) * WEEK_MS, 'day', tz);
  const series = await localSeries(cp, { scope: target.scope, subject: target.subject, from: baselineFrom, to, tz, granularity: q.granularity, measures: q.metric === 'cost' ? 'cost' : 'all' });
  const list = series.bySubject.get(target.subject) ?? [];
  const usage = series.starts.map((_, i) => list[i] ?? { requests: 0, errors: 0, blocked: 0, fallback: 0, input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, cost_pico: 0n, unpriced: 0, latency_ms_sum: 0 });
  const first = series.starts.findIndex((s) => s >= from);
  return { starts: series.starts, usage, first: first < 0 ? series.starts.length : first };
}

/** Tokens per request per bucket; a bucket without requests carries the last ratio (it is neither high nor low). */
function tokensPerRequest(usage: readonly Usage[]): number[] {
  let last = 0;
  return usage.map((u) => {
    if (u.requests > 0) last = totalTokens(u) / u.requests;
    return last;
  });
}

interface Found {
  event: AnomalyEvent;
  impactUsd: number;
  observed: number;
  expected: number;
  extra?: Record<string, unknown>;
}

function detect(l: Loaded, q: AnomalyQuery, phases: number[]): Found[] {
  const period = q.granularity === 'hour' ? 168 : 7;
  const base: AnomalyOptions = { period, phases, relativeFloor: q.granularity === 'hour' ? 0.1 : 0.05 };
  const to = l.starts.length;
  const cost = l.usage.map((u) => picoToUsd(u.cost_pico));
  if (q.metric === 'error_rate') {
    const errors = l.usage.map((u) => u.errors);
    const requests = l.usage.map((u) => u.requests);
    return detectErrorSurges(errors, requests, { baselineBuckets: period }, l.first, to).map((e) => {
      const impactUsd = e.buckets.reduce((a, b) => a + (b.requests > 0 ? ((b.errors - b.expected) * cost[b.index]!) / b.requests : 0), 0);
      const req = e.buckets.reduce((a, b) => a + b.requests, 0);
      return {
        event: e, impactUsd, observed: req > 0 ? e.observed / req : 0, expected: req > 0 ? e.expected / req : 0,
        extra: { errors: e.observed, requests: req, excess_errors: Math.round(e.excessErrors * 100) / 100 },
      };
    });
  }
  if (q.metric === 'tokens_per_request') {
    const ratio = tokensPerRequest(l.usage);
    return detectAnomalies(ratio, base, l.first, to).map((e) => {
      // The cost of the extra (or missing) tokens, at each bucket's own price per token.
      const impactUsd = e.buckets.reduce((a, b) => a + (b.observed > 0 ? cost[b.index]! * (1 - b.expected / b.observed) : 0), 0);
      return { event: e, impactUsd, observed: e.observed / e.buckets.length, expected: e.expected / e.buckets.length };
    });
  }
  if (q.metric === 'cost') {
    return detectAnomalies(cost, base, l.first, to).map((e) => ({ event: e, impactUsd: e.impact, observed: e.observed, expected: e.expected }));
  }
  const values = l.usage.map((u) => valueOf(u, q.metric as 'requests' | 'tokens'));
  return detectAnomalies(values, { ...base, countFloor: q.metric === 'requests' }, l.first, to).map((e) => {
    // Money impact at the buckets' own cost per unit.
    const impactUsd = e.buckets.reduce((a, b) => a + (b.observed > 0 ? (cost[b.index]! * (b.observed - b.expected)) / b.observed : 0), 0);
    return { event: e, impactUsd, observed: e.observed, expected: e.expected };
  });
}

/** What each record adds to the explained measure. */
function measureOf(metric: AnomalyMetric, r: { requests: number; errors: number; tokens: number; cost: number }): number {
  switch (metric) {
    case 'cost': return r.cost;
    case 'requests': return r.requests;
    case 'tokens':
    case 'tokens_per_request': return r.tokens;
    case 'error_rate': return r.errors;
  }
}

/**
 * The values of user, feature and model that explain an anomaly: their
 * amounts in the event's window against the median of the same window in
 * each of the 8 weeks before (one query with the week as a computed column).
 */
async function explain(cp: ControlPlane, req: AnalyticsRequest, metric: AnomalyMetric, start: number, end: number): Promise<Record<string, unknown>> {
  const dims = EXPLAIN_DIMENSIONS.filter((d) => d !== req.target.scope);
  const cases: string[] = [];
  const ranges: string[] = [];
  const caseParams: bigint[] = [];
  const rangeParams: bigint[] = [];
  for (let j = 0; j <= BASELINE_WEEKS; j++) {
    cases.push(`WHEN time_ms >= ? AND time_ms < ? THEN ${j}`);
    caseParams.push(BigInt(start - j * WEEK_MS), BigInt(end - j * WEEK_MS));
    ranges.push('(time_ms >= ? AND time_ms < ?)');
    rangeParams.push(BigInt(start - j * WEEK_MS), BigInt(end - j * WEEK_MS));
  }
  const cols = dims.map((d) => `${SUBJECT_COLUMN[d]} AS d_${d}`).join(', ');
  const groupCols = dims.map((d) => `d_${d}`).join(', ');
  const params: Array<string | bigint> = [...caseParams, ...rangeParams];
  let where = `(${ranges.join(' OR ')})`;
  if (req.target.scope !== 'all') {
    where += ` AND ${columnOf(req.target.scope as AnalyticsScope)} = ?`;
    params.push(req.target.subject);
  }
  const week = `CASE ${cases.join(' ')} END`;
  const rows = await cp.store.readQuery(`SELECT ${week} AS week, ${cols}, COUNT(*) AS requests,
    SUM(CASE WHEN outcome = 'error' THEN 1 ELSE 0 END) AS errors, SUM(tokens) AS tokens, ${costSumSql()}
    FROM records WHERE ${where} GROUP BY week, ${groupCols}`, params);
  const out: Record<string, unknown> = {};
  for (const d of dims) {
    const byKey = new Map<string | null, number[]>();
    for (const r of rows) {
      const key = str(r[`d_${d}`]);
      let weeks = byKey.get(key);
      if (!weeks) byKey.set(key, (weeks = new Array<number>(BASELINE_WEEKS + 1).fill(0)));
      weeks[num(r.week)]! += measureOf(metric, { requests: num(r.requests), errors: num(r.errors), tokens: num(r.tokens), cost: picoToUsd(costSum(r)) });
    }
    const a = attributeDelta([...byKey].map(([key, w]) => ({ key, observed: w[0]!, expected: median(w.slice(1)) })), 5);
    out[d] = a.contributions.map((c) => ({
      key: c.key, ...(metric === 'cost' ? { observed_usd: usdString(c.observed), expected_usd: usdString(c.expected), delta_usd: usdString(c.delta) }
        : { observed: round(c.observed), expected: round(c.expected), delta: round(c.delta) }),
      share: Math.round(c.share * 1000) / 1000,
    }));
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export async function anomaliesAnswer(cp: ControlPlane, req: AnalyticsRequest, q: AnomalyQuery): Promise<Record<string, unknown>> {
  const { tz, asOf } = req;
  // Complete buckets only: the one holding `to` (e.g. as_of) is still filling up and would read as a drop.
  const to = bucketStart(Math.min(q.to ?? asOf, asOf), q.granularity, tz);
  const from = bucketStart(q.from ?? to - (q.granularity === 'hour' ? 7 : 28) * DAY_MS, q.granularity, tz);
  const base = { ...echo(req), metric: q.metric, granularity: q.granularity, from: timeIn(from, tz), to: timeIn(to, tz), min_impact_usd: usdString(q.minImpactUsd) };
  if (!(to > from)) return { ...base, anomalies: [], buckets_scored: 0 };
  const l = await load(cp, req, q, from, to);
  const phases = l.starts.map((s) => (q.granularity === 'hour' ? hourOfWeek(s, tz) : localTime(s, tz).weekday));
  const found = detect(l, q, phases).filter((f) => Math.abs(f.impactUsd) >= q.minImpactUsd);
  const ranked = [...found].sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
  const explained = new Map<Found, Record<string, unknown>>();
  if (q.explain) {
    await Promise.all(ranked.slice(0, MAX_EXPLAINED).map(async (f) => {
      const start = l.starts[f.event.start]!;
      const end = l.starts[f.event.end] ?? to;
      explained.set(f, await explain(cp, req, q.metric, start, end));
    }));
  }
  const amounts = (f: Found): Record<string, number | string> => (q.metric === 'cost'
    ? { observed_usd: usdString(f.observed), expected_usd: usdString(f.expected) }
    : { observed: round(f.observed), expected: round(f.expected) });
  const anomalies = found.map((f) => {
    const e = f.event;
    const start = timeIn(l.starts[e.start]!, tz);
    const why = explained.get(f);
    return {
      id: `${q.metric}:${start}`, start, end: timeIn(l.starts[e.end] ?? to, tz), bucket_start: start, buckets: e.end - e.start,
      metric: q.metric, kind: q.metric === 'error_rate' ? 'error_surge' : q.metric === 'tokens_per_request' ? 'tokens_per_request_jump' : e.kind,
      shape: e.kind, direction: e.direction, ...amounts(f), ...(f.extra ?? {}),
      impact_usd: usdString(f.impactUsd), score: round(e.score), detected_at: timeIn(l.starts[e.detectedAt]!, tz),
      ...(why ? {
        explained_by: why,
        // The same, flat and ranked: the values that explain most of the difference, whatever their dimension.
        explanation: Object.entries(why).flatMap(([dimension, list]) => (list as Array<{ key: string | null; share: number }>)
          .map((c) => ({ dimension, value: c.key, share: c.share }))).sort((a, b) => b.share - a.share).slice(0, 5),
      } : {}),
    };
  });
  return { ...base, buckets_scored: l.starts.length - l.first, baseline: `the same local ${q.granularity === 'hour' ? 'hour of the week' : 'weekday'} over the ${BASELINE_WEEKS} weeks before`, anomalies };
}
