/**
 * In-memory metric state rendered as Prometheus exposition: families of
 * counters, gauges and histograms, each capped at `seriesLimit` series. A new
 * series beyond the cap is folded into an overflow series whose labels are
 * all `"other"` (except the token type / outcome / `le` that keep sums
 * meaningful) plus `tokenmeter_overflow="true"`, so totals stay right and one
 * runaway label cannot grow Prometheus without bound.
 */
import { renderLabels, seriesKey } from './labels.js';
import type { LabelPairs } from './labels.js';

export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** Labels kept through overflow folding: they partition totals that dashboards sum by. */
const KEPT_ON_OVERFLOW = new Set(['gen_ai_token_type', 'tokenmeter_outcome', 'job']);
export const OVERFLOW_LABEL = 'tokenmeter_overflow';

export interface NumberSeries {
  readonly labels: string;
  /** Sum of deltas (derived counters, delta temporality). */
  acc: number;
  /** Latest cumulative value or gauge value, and its time. */
  last: number;
  lastMs: number;
}

export interface HistogramSeries {
  readonly labels: string;
  bounds: number[];
  /** Per-bucket counts (not cumulative), `bounds.length + 1` of them. */
  buckets: number[];
  sum: number;
  count: number;
  lastMs: number;
}

export class Family<S extends NumberSeries | HistogramSeries = NumberSeries | HistogramSeries> {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly series = new Map<string, S>();
  /** Series folded into the overflow bucket since start. */
  overflowed = 0;
  /** Whether the last `get` folded into the overflow series (cumulative sources then need delta conversion). */
  lastFolded = false;
  private readonly _limit: number;
  private readonly _create: (labels: string) => S;

  constructor(name: string, type: FamilyType, help: string, limit: number, create: (labels: string) => S) {
    this.name = name;
    this.type = type;
    this.help = help;
    this._limit = limit;
    this._create = create;
  }

  /** The series for these labels (with `key` precomputed by the caller when it has one), folding beyond the cap. */
  get(pairs: LabelPairs, key: string = seriesKey(pairs)): S {
    const hit = this.series.get(key);
    this.lastFolded = false;
    if (hit) return hit;
    if (this.series.size >= this._limit) {
      this.lastFolded = true;
      return this._overflow(pairs);
    }
    const created = this._create(renderLabels(pairs));
    this.series.set(key, created);
    return created;
  }

  /** Like `get`, but builds the label pairs only when the series is new (the hot path is a hit). */
  getKeyed(key: string, pairs: () => LabelPairs): S {
    const hit = this.series.get(key);
    if (hit) {
      this.lastFolded = false;
      return hit;
    }
    return this.get(pairs(), key);
  }

  private _overflow(pairs: LabelPairs): S {
    const folded: [string, string][] = pairs.map(([n, v]) => [n, KEPT_ON_OVERFLOW.has(n) ? v : 'other']);
    folded.push([OVERFLOW_LABEL, 'true']);
    const key = seriesKey(folded, '\u0003');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = this._create(renderLabels(folded))));
    this.overflowed++;
    return s;
  }
}

export class SeriesStore {
  readonly families = new Map<string, Family>();
  private readonly _limit: number;

  constructor(seriesLimit: number) {
    this._limit = seriesLimit;
  }

  /** The number family `name`, created on first use. A name already used by another type is refused (undefined). */
  numbers(name: string, type: 'counter' | 'gauge', help: string): Family<NumberSeries> | undefined {
    const f = this.families.get(name);
    if (f) return f.type === type ? (f as Family<NumberSeries>) : undefined;
    const created = new Family<NumberSeries>(name, type, help, this._limit, (labels) => ({ labels, acc: 0, last: 0, lastMs: 0 }));
    this.families.set(name, created);
    return created;
  }

  histograms(name: string, help: string): Family<HistogramSeries> | undefined {
    const f = this.families.get(name);
    if (f) return f.type === 'histogram' ? (f as Family<HistogramSeries>) : undefined;
    const created = new Family<HistogramSeries>(name, 'histogram', help, this._limit, (labels) => ({ labels, bounds: [], buckets: [], sum: 0, count: 0, lastMs: 0 }));
    this.families.set(name, created);
    return created;
  }

  seriesCount(): number {
    let n = 0;
    for (const f of this.families.values()) n += f.series.size;
    return n;
  }
}
