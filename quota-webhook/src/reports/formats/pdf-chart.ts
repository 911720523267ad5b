/**
 * Bar charts drawn as PDF vectors (rectangles and lines) with real text
 * labels, so they print sharp and `pdftotext` extracts their labels.
 * `time` charts are vertical bars in time order with a value axis; `ranking`
 * charts are horizontal bars, largest first, each with its value.
 */
import { picoToUsd } from '@tokenmeter/instrumentation/pricing';
import type { Chart } from '../model.js';
import { fit, pdfSafe, shortUsd } from './pdf-text.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const BAR = '#4e79a7';
const GRID = '#d0d0d0';
const INK = '#333333';

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `v`. */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

export function drawChart(doc: PDFKit.PDFDocument, chart: Chart, box: Box): void {
  doc.font('Helvetica-Bold').fontSize(10).fillColor(INK).text(pdfSafe(chart.title), box.x, box.y, { width: box.width, lineBreak: false });
  const area: Box = { x: box.x, y: box.y + 16, width: box.width, height: box.height - 16 };
  doc.lineWidth(0.5).strokeColor(GRID).rect(area.x, area.y, area.width, area.height).stroke();
  if (chart.points.length === 0) {
    doc.font('Helvetica').fontSize(9).fillColor(INK).text('No spend in this period', area.x, area.y + area.height / 2 - 5, { width: area.width, align: 'center', lineBreak: false });
    return;
  }
  if (chart.layout === 'time') drawTimeBars(doc, chart, area);
  else drawRanking(doc, chart, area);
}

function drawTimeBars(doc: PDFKit.PDFDocument, chart: Chart, area: Box): void {
  const axisW = 46;
  const labelH = 14;
  const plot: Box = { x: area.x + axisW, y: area.y + 8, width: area.width - axisW - 8, height: area.height - labelH - 12 };
  const max = niceCeil(Math.max(...chart.points.map((p) => picoToUsd(p.value))));
  const step = max / 4;
  // One number of decimals for the whole axis, enough to tell the gridlines apart.
  const decimals = step >= 1 ? (Number.isInteger(step) ? 0 : 1) : Math.min(6, Math.ceil(-Math.log10(step)) + 1);
  doc.font('Helvetica').fontSize(7).fillColor(INK);
  for (let i = 0; i <= 4; i++) {
    const y = plot.y + plot.height - (plot.height * i) / 4;
    doc.lineWidth(0.3).strokeColor(GRID).moveTo(plot.x, y).lineTo(plot.x + plot.width, y).stroke();
    doc.fillColor(INK).text((step * i).toFixed(decimals), area.x + 2, y - 3, { width: axisW - 6, align: 'right', lineBreak: false });
  }
  const n = chart.points.length;
  const slot = plot.width / n;
  const barW = Math.max(1, slot * 0.7);
  const every = Math.max(1, Math.ceil(n / 8));
  chart.points.forEach((p, i) => {
    const v = Math.max(0, picoToUsd(p.value));
    const h = (plot.height * v) / max;
    const x = plot.x + i * slot + (slot - barW) / 2;
    if (h > 0) doc.rect(x, plot.y + plot.height - h, barW, h).fill(BAR);
    if (i % every === 0) {
      const w = slot * every;
      doc.fillColor(INK).fontSize(6.5).text(fit(doc, pdfSafe(p.label), w - 2), plot.x + i * slot, plot.y + plot.height + 3, { width: w, lineBreak: false });
    }
  });
  doc.lineWidth(0.8).strokeColor(INK).moveTo(plot.x, plot.y + plot.height).lineTo(plot.x + plot.width, plot.y + plot.height).stroke();
}

function drawRanking(doc: PDFKit.PDFDocument, chart: Chart, area: Box): void {
  const labelW = Math.min(140, area.width * 0.32);
  const valueW = 60;
  const plotX = area.x + labelW + 6;
  const plotW = area.width - labelW - valueW - 12;
  const n = chart.points.length;
  const rowH = Math.min(18, (area.height - 8) / n);
  const max = Math.max(...chart.points.map((p) => picoToUsd(p.value)), 0) || 1;
  const size = Math.max(5.5, Math.min(8, rowH * 0.6));
  doc.font('Helvetica').fontSize(size);
  chart.points.forEach((p, i) => {
    const y = area.y + 4 + i * rowH;
    const w = (plotW * Math.max(0, picoToUsd(p.value))) / max;
    doc.fillColor(INK).text(fit(doc, pdfSafe(p.label), labelW - 4), area.x + 4, y + (rowH - size) / 2, { width: labelW - 4, lineBreak: false });
    if (w > 0) doc.rect(plotX, y + rowH * 0.15, w, rowH * 0.7).fill(BAR);
    doc.fillColor(INK).text(shortUsd(p.value), plotX + w + 4, y + (rowH - size) / 2, { width: valueW, lineBreak: false });
  });
}
