/**
 * The `usage` kind: ledger totals per combination of the `group_by`
 * dimensions and, with a granularity, per time bucket in the report's time
 * zone. Records stream in time order, so a bucket's groups are complete and
 * written as soon as the next bucket starts (memory: one bucket's groups).
 */
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import type { LedgerRow } from '../../store/types.js';
import type { UsageDimension } from '../definition.js';
import { CostSplitter } from '../focus/cost-split.js';
import { focusRowsFromLedger } from '../focus/usage-rows.js';
import { dimensionOf, recordFilter, scanLedger } from '../ledger-scan.js';
import { LedgerSummary } from '../ledger-summary.js';
import type { Column, Report, ReportSummary, Row } from '../model.js';
import { bucketEnd, bucketStart } from '../periods.js';
import { DEFAULT_TITLES, describeFilters, type KindInput } from './context.js';

const DIMENSION_COLUMNS: Record<UsageDimension, Column> = {
  org: { id: 'org', label: 'Org', type: 'text', pdfWidth: 1.2 },
  department: { id: 'department', label: 'Department', type: 'text', pdfWidth: 1.4 },
  user: { id: 'user', label: 'User', type: 'text', pdfWidth: 1.4 },
  feature: { id: 'feature', label: 'Feature', type: 'text', pdfWidth: 1.4 },
  project: { id: 'project', label: 'Project', type: 'text', pdfWidth: 1.4 },
  provider: { id: 'provider', label: 'Provider', type: 'text', pdfWidth: 1.1 },
  model: { id: 'model', label: 'Model', type: 'text', pdfWidth: 1.6 },
  operation: { id: 'operation', label: 'Operation', type: 'text', pdfWidth: 1 },
  outcome: { id: 'outcome', label: 'Outcome', type: 'text', pdfWidth: 0.9 },
  investigation: { id: 'investigation', label: 'Investigation', type: 'text', pdfWidth: 1.6 },
  session: { id: 'session', label: 'Session', type: 'text', pdfWidth: 1.6 },
  service: { id: 'service', label: 'Service', type: 'text', pdfWidth: 1.2 },
  source: { id: 'source', label: 'Source', type: 'text', pdfWidth: 0.9 },
};

const METRIC_COLUMNS: Column[] = [
  { id: 'requests', label: 'Requests', type: 'integer', pdfWidth: 0.9 },
  { id: 'input_tokens', label: 'Input tok.', type: 'integer', pdfWidth: 1 },
  { id: 'output_tokens', label: 'Output tok.', type: 'integer', pdfWidth: 1 },
  { id: 'cache_read_tokens', label: 'Cache read tok.', type: 'integer', pdfWidth: 1 },
  { id: 'cache_write_tokens', label: 'Cache write tok.', type: 'integer' },
  { id: 'reasoning_tokens', label: 'Reasoning tok.', type: 'integer' },
  { id: 'total_tokens', label: 'Total tokens', type: 'integer', pdfWidth: 1.1 },
  { id: 'cost_usd', label: 'Cost (USD)', type: 'usd', pdfWidth: 1.5 },
  { id: 'unpriced_requests', label: 'Unpriced', type: 'integer', pdfWidth: 0.8 },
];

/** Rows per page when a bucket's groups are written. */
const FLUSH_PAGE = 500;

interface Agg {
  dims: Array<string | null>;
  requests: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  tokens: number;
  cost: bigint;
  unpriced: number;
}

function byCostThenKey(a: [string, Agg], b: [string, Agg]): number {
  if (a[1].cost !== b[1].cost) return a[1].cost > b[1].cost ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export function usageReport({ def, period, ctx }: KindInput): Report {
  const dims = def.group_by;
  const granularity = def.granularity;
  const timed = granularity !== 'none';
  const columns: Column[] = [
    ...(timed ? [{ id: 'period_start', label: 'From', type: 'time', pdfWidth: 1.5 }, { id: 'period_end', label: 'To', type: 'time' }] satisfies Column[] : []),
    ...dims.map((d) => DIMENSION_COLUMNS[d]),
    ...METRIC_COLUMNS,
  ];
  const filter = recordFilter(period, def.filters);
  const rankBy: UsageDimension = dims[0] ?? 'model';
  let cached: ReportSummary | undefined;

  async function* rows(): AsyncGenerator<Row[]> {
    const summary = new LedgerSummary(period, granularity, rankBy);
    const groups = new Map<string, Agg>();
    let bucket = Number.NaN;
    /** The finished bucket's rows, most expensive first, in pages of `FLUSH_PAGE` rows. */
    function* flush(): Generator<Row[]> {
      const end = bucketEnd(granularity as 'none' | QuotaPeriod, bucket, period);
      const sorted = [...groups.entries()].sort(byCostThenKey);
      groups.clear();
      summary.rows += sorted.length;
      for (let i = 0; i < sorted.length; i += FLUSH_PAGE) {
        yield sorted.slice(i, i + FLUSH_PAGE).map(([, g]) => [
          ...(timed ? [bucket, end] : []), ...g.dims,
          g.requests, g.input, g.output, g.cacheRead, g.cacheWrite, g.reasoning, g.tokens, g.cost, g.unpriced,
        ]);
      }
    }
    const add = (r: LedgerRow): void => {
      const values = dims.map((d) => dimensionOf(r, d));
      const key = values.map((v) => (v === null ? '\u0001' : v)).join('\0');
      let g = groups.get(key);
      if (!g) {
        g = { dims: values, requests: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, tokens: 0, cost: 0n, unpriced: 0 };
        groups.set(key, g);
      }
      g.requests++;
      g.input += r.input;
      g.output += r.output;
      g.cacheRead += r.cache_read;
      g.cacheWrite += r.cache_write;
      g.reasoning += r.reasoning;
      g.tokens += r.tokens;
      if (r.cost_pico === null) g.unpriced++;
      else g.cost += r.cost_pico;
    };
    for await (const page of scanLedger(ctx.store, filter, ctx.now)) {
      for (const r of page) {
        summary.add(r);
        const b = bucketStart(granularity as 'none' | QuotaPeriod, r.time_ms, period);
        if (b !== bucket) {
          if (groups.size > 0) yield* flush();
          bucket = b;
        }
        add(r);
      }
    }
    if (groups.size > 0) yield* flush();
    cached = summary.summary();
  }

  return {
    meta: {
      title: def.title ?? DEFAULT_TITLES.usage, kind: 'usage', period, generatedAt: ctx.now, filters: describeFilters(def),
      groupBy: dims, granularity, notes: [],
    },
    columns,
    rows,
    async summary() {
      if (!cached) for await (const _ of rows()) { /* the pass fills the summary */ }
      return cached!;
    },
    focusRows: () => focusRowsFromLedger(scanLedger(ctx.store, filter, ctx.now), period, new CostSplitter(ctx.catalog)),
  };
}
