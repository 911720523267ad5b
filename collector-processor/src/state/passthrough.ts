/**
 * Applies passed-through metric points to the store, keeping what the
 * exposition needs: for cumulative points the latest value per series (an
 * older point is ignored), for delta points the running sum; gauges keep the
 * latest value. Histogram buckets are kept per series with their bounds.
 */
import type { HistogramPointIn, MetricIn, NumberPointIn } from '../normalize/model.js';
import type { LabelSelector } from '../normalize/metric-names.js';
import { prometheusMetricName } from '../normalize/metric-names.js';
import { joinFlat } from '../util/flat-string.js';
import { seriesKey } from './labels.js';
import type { Family, HistogramSeries, NumberSeries, SeriesStore } from './series-store.js';

export interface PassthroughResult {
  accepted: number;
  rejected: number;
  message: string | undefined;
}

/** Most folded cumulative series whose previous value is remembered (to turn them into deltas). */
export const FOLDED_MEMORY_LIMIT = 100_000;

interface HistogramPrev {
  buckets: number[];
  sum: number;
  count: number;
}

export class Passthrough {
  private readonly _store: SeriesStore;
  private readonly _labels: LabelSelector;
  /**
   * A cumulative series folded into an overflow series cannot keep "the
   * latest value": several sources share it. Its previous value is kept here
   * (numbers only, bounded) and the difference added, so totals stay right.
   */
  private readonly _foldedPrev = new Map<string, number | HistogramPrev>();
  /** Folded cumulative points dropped because `FOLDED_MEMORY_LIMIT` was reached. */
  droppedFolded = 0;

  constructor(store: SeriesStore, labels: LabelSelector) {
    this._store = store;
    this._labels = labels;
  }

  apply(metric: MetricIn, resourcePairs: ReadonlyArray<readonly [string, string]>): PassthroughResult {
    const help = metric.description !== '' ? metric.description : `${metric.name} (passed through)`;
    switch (metric.kind) {
      case 'unsupported':
        return { accepted: 0, rejected: metric.points, message: `${metric.name}: exponential histograms and summaries are not supported` };
      case 'gauge':
      case 'sum': {
        const counter = metric.kind === 'sum' && metric.monotonic;
        const family = this._store.numbers(prometheusMetricName(metric.name, counter), counter ? 'counter' : 'gauge', help);
        if (!family) return conflict(metric.name, metric.points.length);
        const delta = metric.kind === 'sum' && metric.temporality === 1;
        for (const p of metric.points) this._number(family, p, resourcePairs, delta);
        return { accepted: metric.points.length, rejected: 0, message: undefined };
      }
      case 'histogram': {
        const family = this._store.histograms(prometheusMetricName(metric.name, false), help);
        if (!family) return conflict(metric.name, metric.points.length);
        const delta = metric.temporality === 1;
        for (const p of metric.points) this._histogram(family, p, resourcePairs, delta);
        return { accepted: metric.points.length, rejected: 0, message: undefined };
      }
    }
  }

  private _number(family: Family<NumberSeries>, p: NumberPointIn, res: ReadonlyArray<readonly [string, string]>, delta: boolean): void {
    if (!Number.isFinite(p.value)) return;
    const pairs = this._labels.select(p.attrs, res);
    const key = seriesKey(pairs);
    const s = family.get(pairs, key);
    if (delta) s.acc += p.value;
    else if (family.lastFolded && family.type === 'counter') {
      const memo = joinFlat([family.name, '\u0000', key]);
      const prev = this._foldedPrev.get(memo);
      if (prev === undefined && this._foldedPrev.size >= FOLDED_MEMORY_LIMIT) {
        this.droppedFolded++;
        return;
      }
      const before = typeof prev === 'number' ? prev : 0;
      s.acc += p.value >= before ? p.value - before : p.value; // a lower value is a reset of the source
      this._foldedPrev.set(memo, p.value);
    } else if (p.timeMs >= s.lastMs) {
      s.last = p.value;
      s.lastMs = p.timeMs;
    }
  }

  private _histogram(family: Family<HistogramSeries>, p: HistogramPointIn, res: ReadonlyArray<readonly [string, string]>, delta: boolean): void {
    const pairs = this._labels.select(p.attrs, res);
    const key = seriesKey(pairs);
    const s = family.get(pairs, key);
    let buckets = p.bucketCounts.length > 0 ? p.bucketCounts : [p.count];
    const bounds = p.bucketCounts.length > 0 ? p.bounds : [];
    let sum = p.sum;
    let count = p.count;
    if (!delta && family.lastFolded) {
      // Cumulative into a shared overflow series: add the difference to the source's previous point.
      const memo = joinFlat([family.name, '\u0000', key]);
      const prev = this._foldedPrev.get(memo);
      if (prev === undefined && this._foldedPrev.size >= FOLDED_MEMORY_LIMIT) {
        this.droppedFolded++;
        return;
      }
      this._foldedPrev.set(memo, { buckets: buckets.slice(), sum, count });
      if (typeof prev === 'object' && prev.count <= count && prev.buckets.length === buckets.length) {
        buckets = buckets.map((b, i) => b - (prev.buckets[i] as number));
        sum -= prev.sum;
        count -= prev.count;
      }
      delta = true;
    }
    if (delta && sameBounds(s.bounds, bounds) && s.buckets.length === buckets.length) {
      for (let i = 0; i < buckets.length; i++) s.buckets[i] = (s.buckets[i] as number) + (buckets[i] as number);
      s.sum += sum;
      s.count += count;
      return;
    }
    if (!delta && p.timeMs < s.lastMs) return;
    s.bounds = bounds;
    s.buckets = buckets.slice();
    s.sum = sum;
    s.count = count;
    s.lastMs = p.timeMs;
  }
}

function sameBounds(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function conflict(name: string, points: number): PassthroughResult {
  return { accepted: 0, rejected: points, message: `${name}: its Prometheus name is already used by a metric of another type` };
}
