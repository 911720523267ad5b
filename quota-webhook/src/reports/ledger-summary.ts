/**
 * Totals and chart series of a ledger report, accumulated record by record
 * (exact bigint money; memory grows with the number of chart buckets and
 * ranked groups, never with the number of records).
 */
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import type { LedgerRow } from '../store/types.js';
import type { Granularity, UsageDimension } from './definition.js';
import { dimensionOf } from './ledger-scan.js';
import type { Chart, ReportPeriod, ReportSummary, SummaryFigure } from './model.js';
import { bucketLabel, bucketStart } from './periods.js';

const HOUR = 3_600_000;
/** Bars of the ranking chart; the rest are summed into "other". */
export const RANKING_BARS = 10;

/** The chart's time buckets: the report's granularity, else one fitting the period's length. */
export function chartGranularity(granularity: Granularity, period: ReportPeriod): QuotaPeriod {
  if (granularity !== 'none') return granularity;
  const span = period.to - period.from;
  if (span <= 48 * HOUR) return 'hour';
  if (span <= 92 * 24 * HOUR) return 'day';
  return 'month';
}

const DIMENSION_LABELS: Record<UsageDimension, string> = {
  org: 'organisation', department: 'department', user: 'user', feature: 'feature', project: 'project', provider: 'provider', model: 'model',
  operation: 'operation', outcome: 'outcome', investigation: 'investigation', session: 'session', service: 'service', source: 'source',
};

export class LedgerSummary {
  requests = 0;
  input = 0;
  output = 0;
  cacheRead = 0;
  cacheWrite = 0;
  reasoning = 0;
  tokens = 0;
  costPico = 0n;
  unpriced = 0;
  rows = 0;
  private readonly _overTime = new Map<number, bigint>();
  private readonly _byGroup = new Map<string, bigint>();
  private readonly _timeGranularity: QuotaPeriod;

  constructor(
    private readonly _period: ReportPeriod,
    granularity: Granularity,
    private readonly _rankBy: UsageDimension,
  ) {
    this._timeGranularity = chartGranularity(granularity, _period);
  }

  add(r: LedgerRow): void {
    this.requests++;
    this.input += r.input;
    this.output += r.output;
    this.cacheRead += r.cache_read;
    this.cacheWrite += r.cache_write;
    this.reasoning += r.reasoning;
    this.tokens += r.tokens;
    if (r.cost_pico === null) {
      this.unpriced++;
      return;
    }
    this.costPico += r.cost_pico;
    const bucket = bucketStart(this._timeGranularity, r.time_ms, this._period);
    this._overTime.set(bucket, (this._overTime.get(bucket) ?? 0n) + r.cost_pico);
    const group = dimensionOf(r, this._rankBy) ?? '(none)';
    this._byGroup.set(group, (this._byGroup.get(group) ?? 0n) + r.cost_pico);
  }

  figures(): SummaryFigure[] {
    return [
      { id: 'cost_usd', label: 'Total cost (USD)', type: 'usd', value: this.costPico },
      { id: 'requests', label: 'Requests', type: 'integer', value: this.requests },
      { id: 'unpriced_requests', label: 'Unpriced requests', type: 'integer', value: this.unpriced },
      { id: 'input_tokens', label: 'Input tokens', type: 'integer', value: this.input },
      { id: 'output_tokens', label: 'Output tokens', type: 'integer', value: this.output },
      { id: 'cache_read_tokens', label: 'Cache read tokens', type: 'integer', value: this.cacheRead },
      { id: 'cache_write_tokens', label: 'Cache write tokens', type: 'integer', value: this.cacheWrite },
      { id: 'reasoning_tokens', label: 'Reasoning tokens', type: 'integer', value: this.reasoning },
      { id: 'total_tokens', label: 'Total tokens', type: 'integer', value: this.tokens },
    ];
  }

  charts(): Chart[] {
    const tz = this._period.timezone;
    const overTime = [...this._overTime.entries()].sort((a, b) => a[0] - b[0])
      .map(([start, value]) => ({ label: bucketLabel(this._timeGranularity, start, tz), value }));
    const ranked = [...this._byGroup.entries()].sort((a, b) => (a[1] === b[1] ? (a[0] < b[0] ? -1 : 1) : a[1] > b[1] ? -1 : 1));
    const top = ranked.slice(0, RANKING_BARS).map(([label, value]) => ({ label, value }));
    const rest = ranked.slice(RANKING_BARS).reduce((s, [, v]) => s + v, 0n);
    if (ranked.length > RANKING_BARS) top.push({ label: `other (${ranked.length - RANKING_BARS})`, value: rest });
    return [
      { id: 'cost_over_time', title: `Spend per ${this._timeGranularity} (USD)`, layout: 'time', points: overTime },
      { id: 'cost_by_group', title: `Spend by ${DIMENSION_LABELS[this._rankBy]} (USD)`, layout: 'ranking', points: top },
    ];
  }

  summary(): ReportSummary {
    return { figures: this.figures(), charts: this.charts(), rows: this.rows };
  }
}
