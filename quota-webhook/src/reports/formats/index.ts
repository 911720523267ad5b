/** Renders a report in one of the formats onto a writable stream (which the caller ends). */
import type { Writable } from 'node:stream';
import type { ReportFormat } from '../definition.js';
import type { Report } from '../model.js';
import { writeCsv } from './csv.js';
import { writeFocus } from './focus.js';
import { writeJson } from './json.js';
import { writePdf } from './pdf.js';

export interface RenderOptions {
  /** Most table rows in a PDF. */
  maxPdfRows: number;
}

export function renderReport(report: Report, format: ReportFormat, out: Writable, options: RenderOptions): Promise<void> {
  switch (format) {
    case 'csv': return writeCsv(report, out);
    case 'json': return writeJson(report, out);
    case 'pdf': return writePdf(report, out, { maxRows: options.maxPdfRows });
    case 'focus': return writeFocus(report, out);
  }
}
