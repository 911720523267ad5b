/**
 * Exact usage in local-time buckets, the input of every analytics answer.
 * Whole 15-minute buckets come from the rollup, summed per local hour or day
 * in SQL; the partial 15-minute buckets at the edges (`as_of` is any
 * instant) come from the records through `LedgerQueries.series`, so the
 * sums equal a scan of the records in [from, to). Local buckets are found
 * with integer arithmetic on (bucket_ms + offset): the range is split where
 * the zone's UTC offset changes (DST), so every segment has one offset.
 * Weeks and months are sums of local days.
 */
import type { ControlPlane } from '../control-plane.js';
import { addAggregate, costSum, moneyFrom, num } from '../store/rows.js';
import { AGGREGATE_SELECT, SUBJECT_COLUMN } from '../store/sql.js';
import { ROLLUP_BUCKET_MS, type RollupRow, type RollupScope, type SqlRow, type UsageAggregate } from '../store/types.js';
import { bucketIndex, bucketStarts, type Granularity } from './time-buckets.js';
import { offsetChanges, zoneOffset } from './zone.js';

import { ANALYTICS_SCOPES, type AnalyticsScope } from './ledger-sql.js';

export { ANALYTICS_SCOPES, type AnalyticsScope };

/** Sums of records: counts by outcome, tokens by type, exact cost (the rollup's sums). */
export type Usage = UsageAggregate;

export function emptyUsage(): Usage {
  return { requests: 0, errors: 0, blocked: 0, fallback: 0, input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, cost_pico: 0n, unpriced: 0, latency_ms_sum: 0 };
}

/** Adds the sums of `b` into `a`. */
export function addUsage(a: Usage, b: Usage): void {
  addAggregate(a, b);
}

export function totalTokens(u: Usage): number {
  return u.input + u.output + u.cache_read + u.cache_write + u.reasoning;
}

export function sumUsage(list: readonly Usage[], from = 0, to = list.length): Usage {
  const out = emptyUsage();
  for (let i = Math.max(0, from); i < Math.min(to, list.length); i++) addUsage(out, list[i]!);
  return out;
}

/** The subject of an analytics request: a scope and one subject, or everything (`all`, `*`). */
export interface Target {
  scope: RollupScope;
  subject: string;
}

export const EVERYTHING: Target = { scope: 'all', subject: '*' };

/** Usage per local bucket and subject. */
export interface LocalSeries {
  granularity: Granularity;
  tz: string;
  /** Bucket starts (UTC ms); the last bucket ends at `end` (it may be partial, e.g. up to `as_of`). */
  starts: number[];
  end: number;
  bySubject: Map<string, Usage[]>;
}

/** Which sums a series reads (fewer columns, less work): everything, or one metric's. */
export type Measures = 'all' | 'cost' | 'tokens' | 'requests' | 'errors';

const MEASURE_COLUMNS: Record<Exclude<Measures, 'all'>, readonly string[]> = {
  cost: ['requests', 'cost_whole_usd', 'cost_frac_pico'],
  tokens: ['requests', 'input', 'output', 'cache_read', 'cache_write', 'reasoning'],
  requests: ['requests'],
  errors: ['requests', 'errors'],
};

function rollupSelect(measures: Measures): string {
  if (measures === 'all') return ROLLUP_SUM_SELECT;
  return MEASURE_COLUMNS[measures].map((c) => `SUM(${c}) AS ${c}`).join(', ');
}

export interface LocalSeriesQuery {
  /** Sums to read (default all). */
  measures?: Measures;
  scope: RollupScope;
  /** One subject; omitted = every subject of the scope. */
  subject?: string;
  from: number;
  to: number;
  tz: string;
  granularity: Granularity;
}

/** [from, to) split where the zone's UTC offset changes; each part with its offset (local = UTC + offset). */
export function offsetSegments(from: number, to: number, tz: string): Array<{ from: number; to: number; offset: number }> {
  if (!(to > from)) return [];
  const out: Array<{ from: number; to: number; offset: number }> = [];
  let start = from;
  let offset = zoneOffset(from, tz);
  for (const c of offsetChanges(from, to, tz)) {
    // Rollup buckets are 15 minutes: a change inside one (none in today's zones) moves to its end.
    const at = Math.min(to, Math.ceil(c.at / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS);
    if (at > start) out.push({ from: start, to: at, offset });
    start = Math.max(start, at);
    offset = c.offset;
  }
  if (to > start) out.push({ from: start, to, offset });
  return out;
}

function usageFromRollup(r: SqlRow): Usage {
  return {
    requests: num(r.requests), errors: num(r.errors), blocked: num(r.blocked), fallback: num(r.fallback), input: num(r.input),
    output: num(r.output), cache_read: num(r.cache_read), cache_write: num(r.cache_write), reasoning: num(r.reasoning),
    cost_pico: moneyFrom(r), unpriced: num(r.unpriced), latency_ms_sum: num(r.latency_ms_sum),
  };
}

function usageFromRecords(r: SqlRow): Usage {
  return {
    requests: num(r.requests), errors: num(r.errors), blocked: num(r.blocked), fallback: num(r.fallback), input: num(r.input),
    output: num(r.output), cache_read: num(r.cache_read), cache_write: num(r.cache_write), reasoning: num(r.reasoning),
    cost_pico: costSum(r), unpriced: num(r.unpriced), latency_ms_sum: num(r.latency_ms_sum),
  };
}

const ROLLUP_SUM_SELECT = `SUM(requests) AS requests, SUM(errors) AS errors, SUM(blocked) AS blocked, SUM(fallback) AS fallback,
  SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write,
  SUM(reasoning) AS reasoning, SUM(cost_whole_usd) AS cost_whole_usd, SUM(cost_frac_pico) AS cost_frac_pico,
  SUM(unpriced) AS unpriced, SUM(latency_ms_sum) AS latency_ms_sum`;

const UNIT_MS: Record<'hour' | 'day', number> = { hour: 3_600_000, day: 86_400_000 };

class Accumulator {
  readonly bySubject = new Map<string, Usage[]>();
  constructor(private readonly _starts: readonly number[], private readonly _end: number) {}

  add(subject: string, at: number, u: Usage): void {
    const i = bucketIndex(this._starts, at, this._end);
    if (i < 0) return;
    let list = this.bySubject.get(subject);
    if (!list) {
      list = this._starts.map(() => emptyUsage());
      this.bySubject.set(subject, list);
    }
    addUsage(list[i]!, u);
  }
}

/**
 * One query for the whole range: `seg` (which offset segment a row is in) and
 * `k` (its local bucket number, (time + offset) / unit) are computed columns,
 * so a range across DST changes is still one round trip.
 * `query(seg, k)` gets the two SQL expressions (with their parameters).
 */
async function addSegments(cp: ControlPlane, acc: Accumulator, from: number, to: number, tz: string, unit: number, timeColumn: string,
  query: (segExpr: string, kExpr: string, exprParams: bigint[]) => { sql: string; params: Array<string | number | bigint> }, decode: (r: SqlRow) => Usage): Promise<void> {
  const segments = offsetSegments(from, to, tz);
  if (segments.length === 0) return;
  let segExpr = '0';
  let offExpr = 'CAST(? AS BIGINT)';
  const segParams: bigint[] = [];
  const offParams: bigint[] = [];
  if (segments.length === 1) offParams.push(BigInt(segments[0]!.offset));
  else {
    const segCases: string[] = [];
    const offCases: string[] = [];
    segments.slice(0, -1).forEach((sg, i) => {
      segCases.push(`WHEN ${timeColumn} < ? THEN ${i}`);
      segParams.push(BigInt(sg.to));
      offCases.push(`WHEN ${timeColumn} < ? THEN CAST(? AS BIGINT)`);
      offParams.push(BigInt(sg.to), BigInt(sg.offset));
    });
    segExpr = `CASE ${segCases.join(' ')} ELSE ${segments.length - 1} END`;
    offExpr = `CASE ${offCases.join(' ')} ELSE CAST(? AS BIGINT) END`;
    offParams.push(BigInt(segments[segments.length - 1]!.offset));
  }
  const q = query(segExpr, `(${timeColumn} + ${offExpr}) / ${unit}`, [...segParams, ...offParams]);
  for (const r of await cp.store.readQuery(q.sql, q.params)) {
    const seg = segments[num(r.seg)]!;
    // The local bucket's start in this segment's offset; before the segment (a DST day), the segment's start is in it.
    const start = num(r.k) * unit - seg.offset;
    acc.add(String(r.subject), Math.max(start, seg.from), decode(r));
  }
}

/** Usage of one scope (one subject or all) in local hour or day buckets (weeks and months: sums of days) over [from, to). */
export async function localSeries(cp: ControlPlane, q: LocalSeriesQuery): Promise<LocalSeries> {
  const sqlGranularity: 'hour' | 'day' = q.granularity === 'hour' ? 'hour' : 'day';
  const starts = bucketStarts(q.from, q.to, q.granularity, q.tz);
  const acc = new Accumulator(starts, q.to);
  const out: LocalSeries = { granularity: q.granularity, tz: q.tz, starts, end: q.to, bySubject: acc.bySubject };
  if (!(q.to > q.from)) return out;
  const firstFull = Math.ceil(q.from / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  const lastFull = Math.floor(q.to / ROLLUP_BUCKET_MS) * ROLLUP_BUCKET_MS;
  const edges: Array<[number, number]> = firstFull >= lastFull ? [[q.from, q.to]] : [[q.from, firstFull], [lastFull, q.to]];
  const subject = q.subject !== undefined ? { subject: q.subject } : {};
  const edgeRows = await Promise.all(edges.filter(([a, b]) => b > a).map(([a, b]) =>
    cp.queries.series({ scope: q.scope, ...subject, from: a, to: b }).then((rows) => ({ a, rows }))));
  for (const { a, rows } of edgeRows) for (const r of rows) acc.add(r.subject, Math.max(a, r.bucket_ms), rollupRowUsage(r));
  if (firstFull < lastFull) {
    const unit = UNIT_MS[sqlGranularity];
    await addSegments(cp, acc, firstFull, lastFull, q.tz, unit, 'bucket_ms', (segExpr, kExpr, exprParams) => ({
      sql: `SELECT subject, ${segExpr} AS seg, ${kExpr} AS k, ${rollupSelect(q.measures ?? 'all')} FROM rollup
        WHERE scope = ?${q.subject !== undefined ? ' AND subject = ?' : ''} AND bucket_ms >= ? AND bucket_ms < ? GROUP BY subject, seg, k`,
      params: [...exprParams, q.scope, ...(q.subject !== undefined ? [q.subject] : []), BigInt(firstFull), BigInt(lastFull)],
    }), usageFromRollup);
  }
  return out;
}

function rollupRowUsage(r: RollupRow): Usage {
  return {
    requests: r.requests, errors: r.errors, blocked: r.blocked, fallback: r.fallback, input: r.input, output: r.output,
    cache_read: r.cache_read, cache_write: r.cache_write, reasoning: r.reasoning, cost_pico: r.cost_pico, unpriced: r.unpriced,
    latency_ms_sum: r.latency_ms_sum,
  };
}

/** The records column (SQL expression) of a scope. */
export function columnOf(scope: AnalyticsScope): string {
  return SUBJECT_COLUMN[scope];
}

export interface GroupedSeriesQuery {
  /** The records that count: one subject of a scope, or all (`all`). */
  target: Target;
  /** The dimension to group by. */
  groupBy: AnalyticsScope;
  from: number;
  to: number;
  tz: string;
  granularity: Granularity;
}

/**
 * Usage of one subject grouped by another dimension (e.g. a department's
 * spend by user): from the records (the rollup has one dimension per row).
 * Records without a value of the dimension are the group `null`.
 */
export async function groupedSeries(cp: ControlPlane, q: GroupedSeriesQuery): Promise<LocalSeries> {
  const sqlGranularity: 'hour' | 'day' = q.granularity === 'hour' ? 'hour' : 'day';
  const starts = bucketStarts(q.from, q.to, q.granularity, q.tz);
  const acc = new Accumulator(starts, q.to);
  const unit = UNIT_MS[sqlGranularity];
  const key = columnOf(q.groupBy);
  const where = q.target.scope === 'all' ? '' : ` AND ${columnOf(q.target.scope as AnalyticsScope)} = ?`;
  await addSegments(cp, acc, q.from, q.to, q.tz, unit, 'time_ms', (segExpr, kExpr, exprParams) => ({
    sql: `SELECT COALESCE(${key}, '') AS subject, ${segExpr} AS seg, ${kExpr} AS k, ${AGGREGATE_SELECT} FROM records
      WHERE time_ms >= ? AND time_ms < ?${where} GROUP BY COALESCE(${key}, ''), seg, k`,
    params: [...exprParams, BigInt(q.from), BigInt(q.to), ...(q.target.scope === 'all' ? [] : [q.target.subject])],
  }), usageFromRecords);
  return { granularity: q.granularity, tz: q.tz, starts, end: q.to, bySubject: acc.bySubject };
}

/** The group key of records without a value of the grouped dimension (the ledger never stores an empty string). */
export const NO_VALUE = '';
