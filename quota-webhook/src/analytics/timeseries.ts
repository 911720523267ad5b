/**
 * `GET /analytics/timeseries`: a metric per local bucket (hour, day, week
 * from Monday, month) over [from, to), `to` at most as_of, optionally grouped
 * by one dimension; with each bucket's change against the one before and the
 * range's total against the range of the same length just before it.
 * Grouped over everything, the rollup of that dimension answers (records
 * without a value of the dimension are the group `null`: the total minus
 * the groups); grouped within a subject of another dimension, the records do.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { queryError } from '../errors.js';
import { echo, exactOf, timeIn, type AnalyticsRequest, type SeriesMetric } from './context.js';
import { groupedSeries, localSeries, NO_VALUE, type AnalyticsScope, type LocalSeries } from './series.js';
import { bucketStart, bucketStarts, nextBucketStart, type Granularity } from './time-buckets.js';

export interface TimeseriesQuery {
  metric: SeriesMetric;
  granularity: Granularity;
  groupBy?: AnalyticsScope;
  from?: number;
  to?: number;
  /** Largest groups listed (the rest are summed as `other`). */
  limit: number;
}

export const MAX_BUCKETS = 10_000;

const DEFAULT_SPAN: Record<Granularity, number> = { hour: 48, day: 30, week: 12, month: 12 };

/** The default `from`: 48 hours, 30 days, 12 weeks or 12 months of buckets before `to`. */
function defaultFrom(to: number, g: Granularity, tz: string): number {
  let s = bucketStart(to, g, tz);
  for (let i = 1; i < DEFAULT_SPAN[g]; i++) s = bucketStart(s - 1, g, tz);
  return s;
}

function exactSeries(series: LocalSeries, key: string, metric: SeriesMetric): bigint[] {
  const list = series.bySubject.get(key);
  return series.starts.map((_, i) => (list?.[i] ? exactOf(list[i]!, metric) : 0n));
}

function addInto(a: bigint[], b: readonly bigint[]): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
}

function value(metric: SeriesMetric, v: bigint): string | number {
  return metric === 'cost' ? formatUsd(v) : Number(v);
}

function change(now: bigint, before: bigint): number | null {
  if (before === 0n) return null;
  return Math.round((Number(now - before) / Number(before)) * 10_000) / 10_000;
}

function valueKey(metric: SeriesMetric, name: string): string {
  return metric === 'cost' ? `${name}_usd` : name;
}

interface Grouped {
  /** Per group key (`null` = records without a value), exact values per bucket. */
  groups: Map<string | null, bigint[]>;
  total: bigint[];
}

async function load(cp: ControlPlane, req: AnalyticsRequest, q: TimeseriesQuery, from: number, to: number): Promise<Grouped> {
  const { target, tz } = req;
  const g = q.granularity;
  const base = await localSeries(cp, { scope: target.scope, subject: target.subject, from, to, tz, granularity: g, measures: q.metric });
  const total = exactSeries(base, target.subject, q.metric);
  const groups = new Map<string | null, bigint[]>();
  if (q.groupBy === undefined) return { groups, total };
  if (q.groupBy === target.scope) {
    groups.set(target.subject, total.slice());
    return { groups, total };
  }
  const split = target.scope === 'all'
    ? await localSeries(cp, { scope: q.groupBy, from, to, tz, granularity: g, measures: q.metric })
    : await groupedSeries(cp, { target, groupBy: q.groupBy, from, to, tz, granularity: g });
  const covered = total.map(() => 0n);
  for (const key of split.bySubject.keys()) {
    const values = exactSeries(split, key, q.metric);
    const k = key === NO_VALUE ? null : key;
    const cur = groups.get(k);
    if (cur) addInto(cur, values);
    else groups.set(k, values);
    if (k !== null) addInto(covered, values);
  }
  // Everything without a value of the dimension: exactly the total minus the named groups.
  const rest = total.map((t, i) => t - covered[i]!);
  if (rest.some((v) => v !== 0n)) groups.set(null, rest);
  return { groups, total };
}

const sum = (a: readonly bigint[]): bigint => a.reduce((x, y) => x + y, 0n);

export async function timeseriesAnswer(cp: ControlPlane, req: AnalyticsRequest, q: TimeseriesQuery): Promise<Record<string, unknown>> {
  const { tz, asOf } = req;
  const to = Math.min(q.to ?? asOf, asOf);
  const from = bucketStart(q.from ?? defaultFrom(to, q.granularity, tz), q.granularity, tz);
  if (!(to > from)) throw queryError([{ path: 'from', message: 'must be before to and as_of' }]);
  let starts: number[] = [];
  try {
    starts = bucketStarts(from, to, q.granularity, tz, MAX_BUCKETS);
  } catch {
    starts = [];
  }
  if (starts.length === 0) {
    throw queryError([{ path: 'from', message: `the range has more than ${MAX_BUCKETS} ${q.granularity} buckets; narrow it or use a coarser granularity` }]);
  }
  const span = to - from;
  const [now, before] = await Promise.all([load(cp, req, q, from, to), load(cp, req, { ...q }, from - span, from)]);
  const lastEnd = nextBucketStart(starts[starts.length - 1]!, q.granularity, tz);
  const points = (values: readonly bigint[]): Array<Record<string, unknown>> => values.map((v, i) => ({
    time: timeIn(starts[i]!, tz),
    [valueKey(q.metric, 'value')]: value(q.metric, v),
    change: i === 0 ? null : change(v, values[i - 1]!),
    ...(i === values.length - 1 && to < lastEnd ? { partial: true } : {}),
  }));
  const totalNow = sum(now.total);
  const totalBefore = sum(before.total);
  const answer: Record<string, unknown> = {
    ...echo(req), metric: q.metric, granularity: q.granularity, group_by: q.groupBy ?? null,
    from: timeIn(from, tz), to: timeIn(to, tz),
    [valueKey(q.metric, 'total')]: value(q.metric, totalNow),
    previous: { from: timeIn(from - span, tz), to: timeIn(from, tz), [valueKey(q.metric, 'total')]: value(q.metric, totalBefore) },
    change: change(totalNow, totalBefore),
  };
  if (q.groupBy === undefined) return { ...answer, points: points(now.total) };
  const ranked = [...now.groups.entries()].sort((a, b) => (sum(b[1]) > sum(a[1]) ? 1 : sum(b[1]) < sum(a[1]) ? -1 : String(a[0]).localeCompare(String(b[0]))));
  const shown = ranked.slice(0, q.limit);
  const other = ranked.slice(q.limit);
  const groups = shown.map(([key, values]) => {
    const prev = before.groups.get(key);
    return {
      key, [valueKey(q.metric, 'total')]: value(q.metric, sum(values)),
      change: prev ? change(sum(values), sum(prev)) : null, points: points(values),
    };
  });
  if (other.length === 0) return { ...answer, groups };
  const values = now.total.map(() => 0n);
  for (const [, v] of other) addInto(values, v);
  return { ...answer, groups, other: { groups: other.length, [valueKey(q.metric, 'total')]: value(q.metric, sum(values)), points: points(values) } };
}
