/**
 * The kinds read from the analytics services: `chargeback` (allocation),
 * `forecast` (with budget risk) and `recommendations`. Each asks its source
 * once per report and maps the answer to rows, totals and charts; money stays
 * exact (the sources answer exact `*_usd` strings).
 */
import { formatUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import type { ReportDefinition } from '../definition.js';
import type { Chart, Column, FocusRow, Report, ReportMeta, ReportSummary, Row, SummaryFigure } from '../model.js';
import { formatLocal } from '../periods.js';
import { chargebackFocusRows, checkChargebackFocusPeriod } from '../focus/chargeback-rows.js';
import { DEFAULT_TITLES, describeFilters, type KindInput } from './context.js';
import {
  SourceContractError, SourceUnavailableError, allocationResultSchema, checkSource, forecastResultSchema, recommendationsResultSchema,
  type AllocationResult, type AnalyticsQuery,
} from './sources.js';

interface Loaded {
  rows: Row[];
  figures: SummaryFigure[];
  charts: Chart[];
  notes: string[];
  focus?: () => FocusRow[];
}

function query(input: KindInput): AnalyticsQuery {
  const { def, period, ctx } = input;
  const q: AnalyticsQuery = { tz: period.timezone, as_of: Math.min(period.to, ctx.now), from: period.from, to: period.to, filters: def.filters };
  if (def.scope !== undefined) q.scope = def.scope;
  if (def.subject !== undefined) q.subject = def.subject;
  return q;
}

/** A report whose rows come from one source call, made once and shared by every pass. */
function loadedReport(input: KindInput, columns: readonly Column[], load: () => Promise<Loaded>): Report {
  const { def, period, ctx } = input;
  let loading: Promise<Loaded> | undefined;
  const get = (): Promise<Loaded> => (loading ??= load());
  const notes: string[] = [];
  const meta: ReportMeta = {
    title: def.title ?? DEFAULT_TITLES[def.kind], kind: def.kind, period, generatedAt: ctx.now, filters: describeFilters(def),
    groupBy: def.group_by, granularity: def.granularity, notes,
  };
  return {
    meta,
    columns,
    async *rows() {
      const l = await get();
      if (notes.length === 0) notes.push(...l.notes);
      yield l.rows;
    },
    async summary(): Promise<ReportSummary> {
      const l = await get();
      if (notes.length === 0) notes.push(...l.notes);
      return { figures: l.figures, charts: l.charts, rows: l.rows.length };
    },
    ...(def.kind === 'chargeback' ? {
      async *focusRows() {
        const l = await get();
        yield l.focus ? l.focus() : [];
      },
    } : {}),
  };
}

const sumUsd = (values: readonly string[]): bigint => values.reduce((s, v) => s + parseUsd(v), 0n);

// ---- chargeback -------------------------------------------------------------------

const CHARGEBACK_COLUMNS: readonly Column[] = [
  { id: 'subject', label: 'Subject', type: 'text', pdfWidth: 2.2 },
  { id: 'direct_usd', label: 'Direct (USD)', type: 'usd', pdfWidth: 1.5 },
  { id: 'shared_usd', label: 'Shared (USD)', type: 'usd', pdfWidth: 1.5 },
  { id: 'total_usd', label: 'Total (USD)', type: 'usd', pdfWidth: 1.5 },
  { id: 'rule_ids', label: 'Allocation rules', type: 'text', pdfWidth: 2 },
];

function checkReconciles(a: AllocationResult): void {
  for (const r of a.rows) {
    if (parseUsd(r.direct_usd) + parseUsd(r.shared_usd) !== parseUsd(r.total_usd)) {
      throw new SourceContractError(`the chargeback analytics answer does not add up for ${r.subject}: ${r.direct_usd} + ${r.shared_usd} ≠ ${r.total_usd}`);
    }
  }
  const allocated = sumUsd(a.rows.map((r) => r.total_usd)) + (a.unallocated_usd === undefined ? 0n : parseUsd(a.unallocated_usd));
  if (allocated !== parseUsd(a.total_usd)) {
    throw new SourceContractError(`the chargeback analytics answer does not reconcile: rows and unallocated add to ${formatUsd(allocated)}, total is ${a.total_usd}`);
  }
}

export function chargebackReport(input: KindInput): Report {
  const source = input.ctx.sources.chargeback;
  if (!source) throw new SourceUnavailableError('chargeback');
  const def: ReportDefinition = input.def;
  if (def.format === 'focus') checkChargebackFocusPeriod(input.period);
  return loadedReport(input, CHARGEBACK_COLUMNS, async () => {
    const q = { ...query(input), ...(def.allocation_rules ? { rules: def.allocation_rules } : {}) };
    const a = checkSource('chargeback', allocationResultSchema, await source.allocation(q));
    checkReconciles(a);
    const rows: Row[] = a.rows.map((r) => [r.subject, parseUsd(r.direct_usd), parseUsd(r.shared_usd), parseUsd(r.total_usd), (r.rule_ids ?? []).join(' ')]);
    const direct = sumUsd(a.rows.map((r) => r.direct_usd));
    const shared = sumUsd(a.rows.map((r) => r.shared_usd));
    const figures: SummaryFigure[] = [
      { id: 'total_usd', label: 'Total spend (USD)', type: 'usd', value: parseUsd(a.total_usd) },
      { id: 'direct_usd', label: 'Direct spend (USD)', type: 'usd', value: direct },
      { id: 'shared_usd', label: 'Shared spend allocated (USD)', type: 'usd', value: shared },
      { id: 'unallocated_usd', label: 'Unallocated (USD)', type: 'usd', value: a.unallocated_usd === undefined ? 0n : parseUsd(a.unallocated_usd) },
      { id: 'subjects', label: 'Subjects', type: 'integer', value: a.rows.length },
    ];
    const ranked = [...a.rows].sort((x, y) => { const d = parseUsd(y.total_usd) - parseUsd(x.total_usd); return d === 0n ? 0 : d > 0n ? 1 : -1; });
    const charts: Chart[] = [{ id: 'total_by_subject', title: `Total spend by ${def.scope ?? 'subject'} (USD)`, layout: 'ranking', points: ranked.slice(0, 15).map((r) => ({ label: r.subject, value: parseUsd(r.total_usd) })) }];
    return { rows, figures, charts, notes: [`Allocation by ${def.scope ?? 'the default scope'}; rules: ${def.allocation_rules ? `${def.allocation_rules.length} given` : 'the configured defaults'}.`], focus: () => chargebackFocusRows(a, input.period, def.scope ?? 'subject') };
  });
}

// ---- forecast -----------------------------------------------------------------------

const FORECAST_COLUMNS: readonly Column[] = [
  { id: 'date', label: 'Date', type: 'text', pdfWidth: 1.2 },
  { id: 'actual_usd', label: 'Actual (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'expected_usd', label: 'Expected (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'lower_80_usd', label: 'Low 80% (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'upper_80_usd', label: 'High 80% (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'lower_95_usd', label: 'Low 95% (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'upper_95_usd', label: 'High 95% (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'cumulative_expected_usd', label: 'Since month start, expected (USD)', type: 'usd', pdfWidth: 1.5 },
];

export function forecastReport(input: KindInput): Report {
  const source = input.ctx.sources.forecast;
  if (!source) throw new SourceUnavailableError('forecast');
  const horizon = input.def.horizon ?? 'month_end';
  return loadedReport(input, FORECAST_COLUMNS, async () => {
    const f = checkSource('forecast', forecastResultSchema, await source.forecast({ ...query(input), horizon }));
    const opt = (v: string | null | undefined): bigint | null => (v === undefined || v === null ? null : parseUsd(v));
    const rows: Row[] = f.points.map((p) => [p.date, opt(p.actual_usd), parseUsd(p.expected_usd), parseUsd(p.lower_80_usd), parseUsd(p.upper_80_usd), parseUsd(p.lower_95_usd), parseUsd(p.upper_95_usd), opt(p.cumulative_expected_usd)]);
    const figures: SummaryFigure[] = [];
    if (f.month_to_date_usd !== undefined) figures.push({ id: 'month_to_date_usd', label: 'Month to date (USD)', type: 'usd', value: parseUsd(f.month_to_date_usd) });
    if (f.month_end) {
      figures.push(
        { id: 'month_end_expected_usd', label: 'Month-end expected (USD)', type: 'usd', value: parseUsd(f.month_end.expected_usd) },
        { id: 'month_end_lower_80_usd', label: 'Month-end 80% low (USD)', type: 'usd', value: parseUsd(f.month_end.lower_80_usd) },
        { id: 'month_end_upper_80_usd', label: 'Month-end 80% high (USD)', type: 'usd', value: parseUsd(f.month_end.upper_80_usd) },
        { id: 'month_end_lower_95_usd', label: 'Month-end 95% low (USD)', type: 'usd', value: parseUsd(f.month_end.lower_95_usd) },
        { id: 'month_end_upper_95_usd', label: 'Month-end 95% high (USD)', type: 'usd', value: parseUsd(f.month_end.upper_95_usd) },
      );
    }
    const notes: string[] = [`Forecast as of ${formatLocal(Math.min(input.period.to, input.ctx.now), input.period.timezone)} ${input.period.timezone}, horizon ${horizon}${f.method ? `, method ${f.method}` : ''}.`];
    for (const b of f.budgets ?? []) {
      const pct = `${(b.probability_exceeded * 100).toFixed(1)}%`;
      const what = b.kind === 'quota' ? 'Quota' : 'Budget';
      figures.push({ id: `${b.kind ?? 'budget'}_${b.id}_probability_exceeded`, label: `${what} ${b.name ?? b.id}: probability exceeded`, type: 'number', value: b.probability_exceeded });
      notes.push(`${what} ${b.name ?? b.id} (limit ${b.limit_usd} USD): ${pct} probability of being exceeded${b.expected_crossing ? `, expected crossing ${b.expected_crossing}` : ''}.`);
    }
    const charts: Chart[] = [{ id: 'expected_over_time', title: 'Expected spend per day (USD)', layout: 'time', points: f.points.map((p) => ({ label: p.date, value: parseUsd(p.expected_usd) })) }];
    if (f.month_end) {
      const m = f.month_end;
      charts.push({ id: 'month_end_interval', title: 'Month-end spend: expected and intervals (USD)', layout: 'ranking', points: [
        { label: '95% high', value: parseUsd(m.upper_95_usd) }, { label: '80% high', value: parseUsd(m.upper_80_usd) },
        { label: 'expected', value: parseUsd(m.expected_usd) }, { label: '80% low', value: parseUsd(m.lower_80_usd) },
        { label: '95% low', value: parseUsd(m.lower_95_usd) },
      ] });
    }
    return { rows, figures, charts, notes };
  });
}

// ---- recommendations -------------------------------------------------------------------

const RECOMMENDATION_COLUMNS: readonly Column[] = [
  { id: 'id', label: 'Id', type: 'text' },
  { id: 'type', label: 'Type', type: 'text', pdfWidth: 1.2 },
  { id: 'title', label: 'Recommendation', type: 'text', pdfWidth: 4 },
  { id: 'subject', label: 'Subject', type: 'text', pdfWidth: 1.3 },
  { id: 'estimated_monthly_savings_usd', label: 'Savings/month (USD)', type: 'usd', pdfWidth: 1.5 },
  { id: 'difficulty', label: 'Difficulty', type: 'text', pdfWidth: 0.9 },
  { id: 'confidence', label: 'Confidence', type: 'text', pdfWidth: 0.9 },
  { id: 'dismissed', label: 'Dismissed', type: 'boolean' },
];

export function recommendationsReport(input: KindInput): Report {
  const source = input.ctx.sources.recommendations;
  if (!source) throw new SourceUnavailableError('recommendations');
  return loadedReport(input, RECOMMENDATION_COLUMNS, async () => {
    const res = checkSource('recommendations', recommendationsResultSchema, await source.recommendations(query(input)));
    const list = [...res.recommendations].sort((a, b) => { const d = parseUsd(b.estimated_monthly_savings_usd) - parseUsd(a.estimated_monthly_savings_usd); return d === 0n ? (a.id < b.id ? -1 : 1) : d > 0n ? 1 : -1; });
    const rows: Row[] = list.map((r) => [r.id, r.type, r.title, r.subject ?? null, parseUsd(r.estimated_monthly_savings_usd), r.difficulty, String(r.confidence), r.dismissed ?? false]);
    const open = list.filter((r) => r.dismissed !== true);
    const byType = new Map<string, bigint>();
    for (const r of open) byType.set(r.type, (byType.get(r.type) ?? 0n) + parseUsd(r.estimated_monthly_savings_usd));
    const figures: SummaryFigure[] = [
      { id: 'estimated_monthly_savings_usd', label: 'Estimated savings per month, open items (USD)', type: 'usd', value: sumUsd(open.map((r) => r.estimated_monthly_savings_usd)) },
      { id: 'open', label: 'Open recommendations', type: 'integer', value: open.length },
      { id: 'dismissed', label: 'Dismissed', type: 'integer', value: list.length - open.length },
    ];
    const charts: Chart[] = [{
      id: 'savings_by_type', title: 'Estimated monthly savings by type (USD)', layout: 'ranking',
      points: [...byType.entries()].sort((a, b) => (a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1)).map(([label, value]) => ({ label, value })),
    }];
    return { rows, figures, charts, notes: ['Savings are estimates from the analytics service, with their evidence in the API.'] };
  });
}
