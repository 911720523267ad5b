/**
 * PDF (pdfkit, A4 landscape, standard Helvetica so every word is real,
 * searchable text): the title, the period and time zone, the generation
 * time, filters and notes, the totals, two vector charts (spend over time and
 * by the report's grouping), then the table, paginated with its header
 * repeated on every page and a footer with the page number. The table shows
 * the columns that have a PDF width and at most `maxRows` rows (the totals
 * and charts cover every row; CSV and JSON carry them all).
 */
import type { Writable } from 'node:stream';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { Cell, Column, Report, ReportSummary } from '../model.js';
import { formatInstant, formatLocal, periodLabel } from '../periods.js';
import { drawChart } from './pdf-chart.js';
import { fit, pdfSafe } from './pdf-text.js';

const MARGIN = 36;
const ROW_H = 14;
const HEADER_H = 18;
const FOOTER_H = 16;
const INK = '#222222';
const MUTED = '#666666';
const STRIPE = '#f2f4f7';

/** The text a cell shows in the PDF (exact money, times in the report's zone). */
export function pdfCell(value: Cell, column: Column, tz: string): string {
  if (value === null) return '';
  switch (column.type) {
    case 'usd': return formatUsd(value as bigint);
    case 'time': {
      const ms = value as number;
      // Bucket starts show minutes; record times (seconds or milliseconds) show seconds.
      return ms % 60_000 === 0 ? formatLocal(ms, tz) : formatInstant(ms, tz).replace('T', ' ').replace(/(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, '');
    }
    case 'boolean': return value ? 'yes' : 'no';
    default: return pdfSafe(String(value));
  }
}

const rightAligned = (c: Column): boolean => c.type === 'usd' || c.type === 'integer' || c.type === 'number';

interface Layout {
  doc: PDFKit.PDFDocument;
  width: number;
  bottom: number;
  page: number;
  title: string;
}

function footer(l: Layout): void {
  const { doc } = l;
  const saved = doc.page.margins.bottom;
  doc.page.margins.bottom = 0; // writing below the bottom margin must not open a page
  doc.font('Helvetica').fontSize(7).fillColor(MUTED)
    .text(`${pdfSafe(l.title)} - page ${l.page}`, MARGIN, doc.page.height - MARGIN + 6, { width: l.width, align: 'right', lineBreak: false });
  doc.page.margins.bottom = saved;
}

function newPage(l: Layout): number {
  footer(l);
  l.doc.addPage();
  l.page++;
  return MARGIN;
}

function header(l: Layout, report: Report, summary: ReportSummary): number {
  const { doc, width } = l;
  const m = report.meta;
  const tz = m.period.timezone;
  let y = MARGIN;
  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(pdfSafe(m.title), MARGIN, y, { width, lineBreak: false });
  y += 26;
  const lines = [
    `Period: ${periodLabel(m.period)}`,
    `Time zone: ${tz}`,
    `Generated: ${formatLocal(m.generatedAt, tz)} ${tz} (${formatInstant(m.generatedAt, 'UTC')})`,
  ];
  const filters = Object.entries(m.filters).map(([k, v]) => `${k}=${v}`);
  if (filters.length > 0) lines.push(`Filters: ${filters.join('; ')}`);
  if (m.groupBy.length > 0 || m.granularity !== 'none') lines.push(`Grouped by: ${m.groupBy.length > 0 ? m.groupBy.join(', ') : '-'}; granularity: ${m.granularity}`);
  for (const n of m.notes) lines.push(n);
  doc.font('Helvetica').fontSize(9.5).fillColor(INK);
  for (const line of lines) {
    doc.text(pdfSafe(line), MARGIN, y, { width, lineBreak: false });
    y += 13;
  }
  y += 6;
  doc.font('Helvetica-Bold').fontSize(11).text('Totals', MARGIN, y, { lineBreak: false });
  y += 16;
  const perRow = 3;
  const colW = width / perRow;
  summary.figures.forEach((f, i) => {
    const x = MARGIN + (i % perRow) * colW;
    const value = f.value === null ? '-' : f.type === 'usd' ? formatUsd(f.value as bigint) : pdfSafe(String(f.value));
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(`${pdfSafe(f.label)}:`, x, y, { continued: true, lineBreak: false })
      .font('Helvetica-Bold').fillColor(INK).text(` ${value}`, { lineBreak: false });
    if (i % perRow === perRow - 1 || i === summary.figures.length - 1) y += 13;
  });
  doc.font('Helvetica').fontSize(9).fillColor(MUTED).text(`Rows: ${summary.rows}`, MARGIN, y, { lineBreak: false });
  return y + 18;
}

function charts(l: Layout, summary: ReportSummary, y: number): number {
  if (summary.charts.length === 0) return y;
  const height = 210;
  if (y + height > l.bottom) y = newPage(l);
  const gap = 18;
  const n = Math.min(2, summary.charts.length);
  const w = (l.width - gap * (n - 1)) / n;
  for (let i = 0; i < summary.charts.length; i += 2) {
    if (i > 0) {
      y += height + 14;
      if (y + height > l.bottom) y = newPage(l);
    }
    summary.charts.slice(i, i + 2).forEach((c, j) => drawChart(l.doc, c, { x: MARGIN + j * (w + gap), y, width: w, height }));
  }
  return y + height + 18;
}

function tableHeader(l: Layout, cols: Column[], widths: number[], y: number): number {
  const { doc } = l;
  doc.rect(MARGIN, y, l.width, HEADER_H).fill('#dde3ea');
  doc.font('Helvetica-Bold').fontSize(7.5).fillColor(INK);
  let x = MARGIN;
  cols.forEach((c, i) => {
    const w = widths[i]!;
    const label = fit(doc, pdfSafe(c.label), w - 8);
    doc.text(label, rightAligned(c) ? x + w - 6 - doc.widthOfString(label) : x + 2, y + 5.5, { lineBreak: false });
    x += w;
  });
  return y + HEADER_H;
}

async function table(l: Layout, report: Report, summary: ReportSummary, y: number, maxRows: number): Promise<void> {
  const { doc } = l;
  const cols = report.columns.filter((c) => c.pdfWidth !== undefined);
  const idx = cols.map((c) => report.columns.indexOf(c));
  const total = cols.reduce((s, c) => s + c.pdfWidth!, 0);
  const widths = cols.map((c) => (l.width * c.pdfWidth!) / total);
  const tz = report.meta.period.timezone;
  if (y + HEADER_H + ROW_H * 3 > l.bottom) y = newPage(l);
  doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text('Details', MARGIN, y, { lineBreak: false });
  y = tableHeader(l, cols, widths, y + 16);
  let shown = 0;
  outer: for await (const page of report.rows()) {
    for (const row of page) {
      if (shown >= maxRows) break outer;
      if (y + ROW_H > l.bottom) y = tableHeader(l, cols, widths, newPage(l));
      if (shown % 2 === 1) doc.rect(MARGIN, y, l.width, ROW_H).fill(STRIPE);
      doc.font('Helvetica').fontSize(7.5).fillColor(INK);
      let x = MARGIN;
      cols.forEach((c, i) => {
        const w = widths[i]!;
        const text = fit(doc, pdfCell(row[idx[i]!] ?? null, c, tz), w - 8);
        doc.text(text, rightAligned(c) ? x + w - 6 - doc.widthOfString(text) : x + 2, y + 3.5, { lineBreak: false });
        x += w;
      });
      y += ROW_H;
      shown++;
    }
  }
  if (shown === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(MUTED).text('No rows in this period.', MARGIN, y + 4, { lineBreak: false });
  } else if (summary.rows > shown) {
    if (y + ROW_H + 4 > l.bottom) y = newPage(l);
    doc.font('Helvetica').fontSize(8.5).fillColor(MUTED)
      .text(`Showing the first ${shown} of ${summary.rows} rows; the CSV and JSON formats carry every row.`, MARGIN, y + 5, { lineBreak: false });
  }
}

export async function writePdf(report: Report, out: Writable, options: { maxRows: number }): Promise<void> {
  // The totals and charts come first in the document, so they are computed before the table pass.
  const summary = await report.summary();
  const m = report.meta;
  // Loaded on first use: pdfkit and its fonts cost ~30 MB that a control plane making no PDF never needs.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4', layout: 'landscape', margin: MARGIN, compress: true,
    info: { Title: pdfSafe(m.title), Author: 'tokenmeter', Subject: `${m.kind} report, ${periodLabel(m.period)}`, Creator: 'tokenmeter control plane', CreationDate: new Date(m.generatedAt) },
  });
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
    out.on('error', reject);
  });
  doc.pipe(out, { end: false });
  const l: Layout = { doc, width: doc.page.width - 2 * MARGIN, bottom: doc.page.height - MARGIN - FOOTER_H, page: 1, title: m.title };
  let y = header(l, report, summary);
  y = charts(l, summary, y);
  await table(l, report, summary, y, options.maxRows);
  footer(l);
  doc.end();
  await done;
}
