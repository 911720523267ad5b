/**
 * JSON: `{"report": {…}, "columns": […], "rows": [{…}], "summary": {…}}`,
 * written as it goes (rows one by one, the summary from the same pass at the
 * end). Rows are objects keyed by column id; money is an exact decimal string
 * (`*_usd`), times RFC 3339 in the report's time zone.
 */
import type { Writable } from 'node:stream';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { Cell, Column, Report, ReportMeta, ReportSummary } from '../model.js';
import { formatInstant } from '../periods.js';
import { TextSink } from './sink.js';

export function jsonValue(value: Cell, type: Column['type'], tz: string): unknown {
  if (value === null) return null;
  if (type === 'usd') return formatUsd(value as bigint);
  if (type === 'time') return formatInstant(value as number, tz);
  return value;
}

export function metaJson(meta: ReportMeta): object {
  const tz = meta.period.timezone;
  return {
    title: meta.title,
    kind: meta.kind,
    period: { from: formatInstant(meta.period.from, tz), to: formatInstant(meta.period.to, tz), timezone: tz, preset: meta.period.preset },
    generated_at: formatInstant(meta.generatedAt, tz),
    filters: meta.filters,
    group_by: meta.groupBy,
    granularity: meta.granularity,
  };
}

export function summaryJson(summary: ReportSummary, meta: ReportMeta): object {
  const tz = meta.period.timezone;
  const totals: Record<string, unknown> = {};
  for (const f of summary.figures) totals[f.id] = jsonValue(f.value, f.type, tz);
  return {
    rows: summary.rows,
    totals,
    notes: meta.notes,
    charts: summary.charts.map((c) => ({ id: c.id, title: c.title, points: c.points.map((p) => ({ label: p.label, value_usd: formatUsd(p.value) })) })),
  };
}

export async function writeJson(report: Report, out: Writable): Promise<void> {
  const sink = new TextSink(out);
  const { columns, meta } = report;
  const tz = meta.period.timezone;
  await sink.push(`{"report":${JSON.stringify(metaJson(meta))},"columns":${JSON.stringify(columns.map((c) => ({ id: c.id, label: c.label, type: c.type })))},"rows":[`);
  let first = true;
  for await (const page of report.rows()) {
    for (const row of page) {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) obj[columns[i]!.id] = jsonValue(row[i] ?? null, columns[i]!.type, tz);
      await sink.push(`${first ? '' : ','}${JSON.stringify(obj)}`);
      first = false;
    }
  }
  const summary = await report.summary();
  await sink.push(`],"summary":${JSON.stringify(summaryJson(summary, meta))}}`);
  await sink.flush();
}
