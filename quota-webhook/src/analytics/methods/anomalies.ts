/**
 * Robust seasonal anomaly detection. Each bucket is compared with the same
 * slot (hour of week, or weekday) over the last K seasons: expected = their
 * median. Spend varies by multiples (noise, spikes and drops are relative),
 * so scores are on the log scale, log(v + c) with c = 5 % of the typical
 * bucket: scale = max(1.4826·MAD of the logs, log(1 + relative floor),
 * the floors below), z = (log(observed + c) − log(expected + c)) / scale. Before `minSeasons` seasons exist, the
 * previous `fallbackWindow` buckets stand in (non-seasonal rolling median).
 The scale is also floored by the series' own
 * relative noise (robust σ of log(observed/expected) over the K seasons
 * before the range), which steadies a MAD of only K values.
 * Buckets with |z| ≥ `softThreshold` on one side form a run; the run is
 * reported at the first bucket where one |z| reaches `strongThreshold`, or
 * `persistence` of its buckets reach `threshold`, or it lasts
 * `softPersistence` buckets — and only when its impact Σ(observed −
 * expected) reaches `minImpact` (AWS's total-impact rule). A run as long as
 * `levelShiftBuckets` is a level shift: from then on the baseline is
 * multiplied by the median ratio observed/expected of the last
 * `trackingWindow` buckets, so the new level becomes normal within half that
 * window and the shift is one event, not weeks of them. The median ignores
 * past anomalies, so a spike does not hide the next one.
 *
 * Failed-request surges are proportions with small counts, so z-scores are
 * wrong for them: each bucket's errors are tested against the baseline error
 * rate with an exact one-sided binomial tail.
 */
import { binomialUpperTail, mad, MAD_TO_SIGMA, median } from './stats.js';

export interface AnomalyOptions {
  /** Buckets per season: 168 for hourly data (hour of week), 7 for daily data. */
  period: number;
  /** Slot of each bucket (0 … period − 1), e.g. local hour of week; default index mod period (wrong across DST in hourly data). */
  phases?: readonly number[];
  /** Past seasons in the baseline (default 8). */
  seasons?: number;
  /** Fewest past seasons for the seasonal baseline (default 3); fewer → rolling median of the last `fallbackWindow` buckets. */
  minSeasons?: number;
  fallbackWindow?: number;
  /** |z| of a candidate (default 3.5). */
  threshold?: number;
  /** |z| that starts or extends a run (default 3). */
  softThreshold?: number;
  /** Buckets in a row with |z| ≥ softThreshold that are reported (default 3). */
  softPersistence?: number;
  /** Buckets whose median ratio re-bases the level after a level shift (default min(period, 24)). */
  trackingWindow?: number;
  /** |z| that is reported without persistence (default 5). */
  strongThreshold?: number;
  /** Candidates in a row that are reported (default 2). */
  persistence?: number;
  /** Scale floor as a relative change (default 0.1: log 1.1). */
  relativeFloor?: number;
  /** Scale floor as a change in the series' units (default 0). */
  absoluteFloor?: number;
  /** Scale floor 1/√expected for counts (Poisson noise on the log scale; default false). */
  countFloor?: boolean;
  /** Offset of the log scale (default 5 % of the median positive value). */
  offset?: number;
  /** Least |Σ(observed − expected)| of a reported run, in the series' units (default 0). */
  minImpact?: number;
  /** A run this long is a level shift (default 2 × persistence, at least 3). */
  levelShiftBuckets?: number;
}

export interface BucketScore {
  index: number;
  observed: number;
  expected: number;
  /** Scale on the log scale. */
  scale: number;
  /** (log(observed + c) − log(expected + c)) / scale. */
  score: number;
  /** Baseline kind: same slot of past seasons, or the rolling fallback. */
  baseline: 'seasonal' | 'rolling';
}

export type AnomalyKind = 'spike' | 'drop' | 'level_shift';

export interface AnomalyEvent {
  /** First and one-past-last bucket index. */
  start: number;
  end: number;
  kind: AnomalyKind;
  direction: 'up' | 'down';
  /** Sums over the event's buckets. */
  observed: number;
  expected: number;
  /** observed − expected. */
  impact: number;
  /** Largest |z| in the event. */
  score: number;
  /** Bucket at which the event met the rules (the earliest an online detector could report it). */
  detectedAt: number;
  buckets: BucketScore[];
}

interface Resolved {
  period: number;
  seasons: number;
  minSeasons: number;
  fallbackWindow: number;
  threshold: number;
  softThreshold: number;
  softPersistence: number;
  trackingWindow: number;
  strongThreshold: number;
  persistence: number;
  relativeFloor: number;
  absoluteFloor: number;
  countFloor: boolean;
  minImpact: number;
  levelShiftBuckets: number;
}

function resolve(o: AnomalyOptions): Resolved {
  const persistence = o.persistence ?? 2;
  return {
    period: o.period,
    seasons: o.seasons ?? 8,
    minSeasons: o.minSeasons ?? 3,
    fallbackWindow: o.fallbackWindow ?? Math.min(o.period, 24),
    threshold: o.threshold ?? 3.5,
    softThreshold: Math.min(o.softThreshold ?? 3, o.threshold ?? 3.5),
    softPersistence: o.softPersistence ?? 3,
    trackingWindow: o.trackingWindow ?? Math.min(o.period, 24),
    strongThreshold: o.strongThreshold ?? 5,
    persistence,
    relativeFloor: o.relativeFloor ?? 0.1,
    absoluteFloor: o.absoluteFloor ?? 0,
    countFloor: o.countFloor ?? false,
    minImpact: o.minImpact ?? 0,
    levelShiftBuckets: o.levelShiftBuckets ?? Math.max(3, 2 * persistence),
  };
}

/** Indices of earlier buckets by slot, so the same slot of past seasons is found by slot, not by arithmetic (DST-safe). */
function slotIndex(n: number, period: number, phases: readonly number[] | undefined): { slotOf: (t: number) => number; positions: number[][]; rank: number[] } {
  const slotOf = (t: number): number => phases?.[t] ?? t % period;
  const positions: number[][] = Array.from({ length: period }, () => []);
  const rank = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    const list = positions[slotOf(t)]!;
    rank[t] = list.length;
    list.push(t);
  }
  return { slotOf, positions, rank };
}

/** The log offset c: 5 % of the median positive value. */
export function logOffsetOf(values: readonly number[]): number {
  const positive = values.filter((v) => v > 0);
  const m = positive.length > 0 ? median(positive) : 0;
  return m > 0 ? 0.05 * m : 1e-9;
}

/** The scale floor at an expected value: relative, absolute and count floors on the log scale. */
function floorAt(o: Resolved, expected: number, c: number): number {
  const e = Math.max(expected, 0);
  return Math.max(Math.log1p(o.relativeFloor), o.absoluteFloor > 0 ? Math.log1p(o.absoluteFloor / (e + c)) : 0,
    o.countFloor ? 1 / Math.sqrt(Math.max(e, 1)) : 0, 1e-9);
}

/** Expected value and scale of every bucket in [from, to) from the buckets before it. */
export function scoreBuckets(values: readonly number[], options: AnomalyOptions, from = 0, to = values.length): BucketScore[] {
  const o = resolve(options);
  const c = options.offset ?? logOffsetOf(values);
  const { slotOf, positions, rank } = slotIndex(values.length, o.period, options.phases);
  const out: BucketScore[] = [];
  for (let t = Math.max(0, from); t < Math.min(to, values.length); t++) {
    const same = positions[slotOf(t)]!;
    const k = rank[t]!;
    let base: number[];
    let kind: 'seasonal' | 'rolling';
    if (k >= o.minSeasons) {
      base = same.slice(Math.max(0, k - o.seasons), k).map((i) => values[i]!);
      kind = 'seasonal';
    } else {
      base = values.slice(Math.max(0, t - o.fallbackWindow), t) as number[];
      kind = 'rolling';
    }
    if (base.length === 0) continue;
    const expected = median(base);
    const logs = base.map((v) => Math.log(Math.max(v, 0) + c));
    const scale = Math.max(MAD_TO_SIGMA * mad(logs), floorAt(o, expected, c));
    const observed = values[t]!;
    out.push({ index: t, observed, expected, scale, score: (Math.log(Math.max(observed, 0) + c) - Math.log(Math.max(expected, 0) + c)) / scale, baseline: kind });
  }
  return out;
}

/** Builds an event from a reported run. */
function eventOf(run: readonly BucketScore[], detectedAt: number, strength: (s: BucketScore) => number, levelShiftBuckets: number): AnomalyEvent {
  const observed = run.reduce((a, s) => a + s.observed, 0);
  const expected = run.reduce((a, s) => a + s.expected, 0);
  const up = observed >= expected;
  return {
    start: run[0]!.index, end: run[run.length - 1]!.index + 1,
    kind: run.length >= levelShiftBuckets ? 'level_shift' : up ? 'spike' : 'drop', direction: up ? 'up' : 'down',
    observed, expected, impact: observed - expected, score: Math.max(...run.map(strength)), detectedAt, buckets: [...run],
  };
}

/** Robust σ of the log ratio observed / expected over scored buckets: the series' own relative noise. */
function relativeNoise(all: readonly BucketScore[], c: number): number {
  // Only buckets with a seasonal baseline: the rolling fallback's errors include the cycle itself.
  const scores = all.filter((s) => s.baseline === 'seasonal');
  const r = scores.map((s) => Math.log((Math.max(s.observed, 0) + c) / (Math.max(s.expected, 0) + c)));
  return r.length >= 8 ? MAD_TO_SIGMA * mad(r) : 0;
}

/** Anomalous runs among the buckets [from, to), as an online detector would report them. */
export function detectAnomalies(values: readonly number[], options: AnomalyOptions, from = 0, to = values.length): AnomalyEvent[] {
  const o = resolve(options);
  const start = Math.max(0, from);
  const c = options.offset ?? logOffsetOf(values);
  const withOffset = { ...options, offset: c };
  const noise = relativeNoise(scoreBuckets(values, withOffset, Math.max(0, start - o.seasons * o.period), start), c);
  const scores = scoreBuckets(values, withOffset, start, to);
  const events: AnomalyEvent[] = [];
  let run: BucketScore[] = [];
  let hard = 0;
  let impact = 0;
  let detectedAt = -1;
  let factor = 1;
  let tracking = false;
  const ratios: number[] = [];
  const close = (): void => {
    if (run.length > 0 && detectedAt >= 0) events.push(eventOf(run, detectedAt, (s) => Math.abs(s.score), o.levelShiftBuckets));
    run = [];
    hard = 0;
    impact = 0;
    detectedAt = -1;
  };
  for (const base of scores) {
    const expected = base.expected * factor;
    const scale = Math.max(base.scale, noise, floorAt(o, expected, c));
    const s: BucketScore = { ...base, expected, scale, score: (Math.log(Math.max(base.observed, 0) + c) - Math.log(Math.max(expected, 0) + c)) / scale };
    const last = run[run.length - 1];
    const inRun = Math.abs(s.score) >= o.softThreshold;
    if (!inRun || (last && (last.index !== s.index - 1 || Math.sign(last.score) !== Math.sign(s.score)))) close();
    if (inRun) {
      run.push(s);
      impact += s.observed - s.expected;
      if (Math.abs(s.score) >= o.threshold) hard++;
      const persistent = Math.abs(s.score) >= o.strongThreshold || hard >= o.persistence || run.length >= o.softPersistence;
      if (detectedAt < 0 && persistent && Math.abs(impact) >= o.minImpact) detectedAt = s.index;
      if (detectedAt >= 0 && run.length >= o.levelShiftBuckets) tracking = true;
    }
    // After a level shift, re-base on the recent ratio to the seasonal baseline until that baseline has caught up.
    if (base.expected > 0) ratios.push(base.observed / base.expected);
    if (ratios.length > o.trackingWindow) ratios.shift();
    if (tracking) {
      factor = median(ratios);
      if (Math.abs(Math.log(Math.max(factor, 1e-9))) < 0.05 && run.length === 0) {
        tracking = false;
        factor = 1;
      }
    }
  }
  close();
  return events;
}

/** Groups candidate buckets into runs and keeps the runs that meet the rules (error surges). */
function eventsFrom(scores: readonly BucketScore[], o: Resolved, isCandidate: (s: BucketScore) => boolean, strength: (s: BucketScore) => number, strong: (s: BucketScore) => boolean): AnomalyEvent[] {
  const events: AnomalyEvent[] = [];
  let run: BucketScore[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    let impact = 0;
    let detectedAt = -1;
    for (let i = 0; i < run.length; i++) {
      impact += run[i]!.observed - run[i]!.expected;
      const persistent = i + 1 >= o.persistence || strong(run[i]!);
      if (detectedAt < 0 && persistent && Math.abs(impact) >= o.minImpact) detectedAt = run[i]!.index;
    }
    if (detectedAt >= 0) events.push(eventOf(run, detectedAt, strength, o.levelShiftBuckets));
    run = [];
  };
  for (const s of scores) {
    const candidate = isCandidate(s);
    const last = run[run.length - 1];
    const sameRun = last !== undefined && last.index === s.index - 1 && Math.sign(last.score) === Math.sign(s.score);
    if (!candidate || !sameRun) flush();
    if (candidate) run.push(s);
  }
  flush();
  return events;
}

export interface ErrorSurgeOptions {
  /** Previous buckets whose pooled error rate is the baseline (default 168: a week of hours). */
  baselineBuckets?: number;
  /** One-sided p-value of a candidate bucket (default 1e-4). */
  alpha?: number;
  /** p-value reported without persistence (default 1e-9). */
  strongAlpha?: number;
  /** Candidates in a row that are reported (default 2). */
  persistence?: number;
  /** Fewest errors in a candidate bucket (default 5). */
  minErrors?: number;
  /** The bucket's rate must be at least this multiple of the baseline rate (default 2). */
  minRatio?: number;
  /** Least excess errors Σ(errors − baseline rate × requests) of a reported surge (default 0). */
  minExcess?: number;
}

export interface SurgeBucket extends BucketScore {
  requests: number;
  errors: number;
  /** Baseline error rate and this bucket's. */
  baselineRate: number;
  rate: number;
  pValue: number;
}

export interface ErrorSurge extends AnomalyEvent {
  buckets: SurgeBucket[];
  /** Errors beyond the baseline rate. */
  excessErrors: number;
}

/**
 * Failed-request surges: bucket t is tested with P(X ≥ errors_t), X ~
 * Binomial(requests_t, p₀), p₀ the pooled error rate of the previous
 * `baselineBuckets` buckets that were not surges themselves (plus half an
 * error per request-less prior, so a clean history does not make p₀ = 0).
 */
export function detectErrorSurges(errors: readonly number[], requests: readonly number[], options: ErrorSurgeOptions = {}, from = 0, to = errors.length): ErrorSurge[] {
  const W = options.baselineBuckets ?? 168;
  const alpha = options.alpha ?? 1e-4;
  const strongAlpha = options.strongAlpha ?? 1e-9;
  const minErrors = options.minErrors ?? 5;
  const minRatio = options.minRatio ?? 2;
  const surge = new Array<boolean>(errors.length).fill(false);
  const scores: SurgeBucket[] = [];
  let sumE = 0;
  let sumN = 0;
  const start = Math.max(0, from - W);
  // Rolling window over [t − W, t) of non-surge buckets.
  for (let i = start; i < Math.max(0, from); i++) {
    sumE += errors[i]!;
    sumN += requests[i]!;
  }
  for (let t = Math.max(0, from); t < Math.min(to, errors.length); t++) {
    const p0 = Math.min(0.5, (sumE + 0.5) / (sumN + 1));
    const n = requests[t]!;
    const e = errors[t]!;
    const rate = n > 0 ? e / n : 0;
    const pValue = n > 0 ? binomialUpperTail(e, n, p0) : 1;
    const candidate = e >= minErrors && rate >= minRatio * p0 && pValue < alpha;
    surge[t] = candidate;
    const expected = p0 * n;
    const sd = Math.sqrt(Math.max(n * p0 * (1 - p0), 1e-12));
    scores.push({ index: t, observed: e, expected, scale: sd, score: candidate ? Math.max(0, -Math.log10(Math.max(pValue, 1e-300))) : 0,
      baseline: 'rolling', requests: n, errors: e, baselineRate: p0, rate, pValue });
    // Slide the window: add t unless it is a surge, drop t − W unless it was one.
    if (!candidate) {
      sumE += e;
      sumN += n;
    }
    const old = t - W;
    if (old >= start && old >= 0 && !surge[old]) {
      sumE -= errors[old]!;
      sumN -= requests[old]!;
    }
  }
  const o = resolve({ period: 1, persistence: options.persistence ?? 2, minImpact: options.minExcess ?? 0 });
  const events = eventsFrom(scores, o, (s) => (s as SurgeBucket).pValue < alpha && s.score > 0, (s) => s.score, (s) => (s as SurgeBucket).pValue < strongAlpha);
  return events.map((ev) => ({ ...ev, kind: ev.kind === 'level_shift' ? 'level_shift' : 'spike', buckets: ev.buckets as SurgeBucket[], excessErrors: ev.impact }));
}
