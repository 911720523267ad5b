/**
 * CSV (RFC 4180): a header row of column ids, CRLF line ends, fields with a
 * comma, quote, CR or LF quoted (quotes doubled). Money is the exact decimal
 * (`formatUsd`), times RFC 3339 in the report's time zone.
 *
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`,
 * `-`, `@` (or a tab or CR) as a formula. Text cells (names, ids, models —
 * the values a caller controls) that start so get a leading `'`, which
 * spreadsheets show as text. Numeric cells (tokens, money, latency) are
 * written bare and never altered, so a negative amount such as `-1.5` stays
 * a number that sums; they cannot carry a formula because they are numbers.
 */
import type { Writable } from 'node:stream';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { Cell, Column, Report } from '../model.js';
import { formatInstant } from '../periods.js';
import { TextSink } from './sink.js';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A text cell made safe for spreadsheets (see the module comment). */
export function neutralise(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** RFC 4180 quoting. */
export function quote(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvCell(value: Cell, column: Column, tz: string): string {
  if (value === null) return '';
  switch (column.type) {
    case 'usd': return formatUsd(value as bigint);
    case 'integer':
    case 'number': return String(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'time': return formatInstant(value as number, tz);
    case 'text': return quote(neutralise(String(value)));
  }
}

export async function writeCsv(report: Report, out: Writable): Promise<void> {
  const sink = new TextSink(out);
  const { columns } = report;
  const tz = report.meta.period.timezone;
  await sink.push(`${columns.map((c) => quote(c.id)).join(',')}\r\n`);
  for await (const page of report.rows()) {
    for (const row of page) {
      let line = '';
      for (let i = 0; i < columns.length; i++) line += `${i === 0 ? '' : ','}${csvCell(row[i] ?? null, columns[i]!, tz)}`;
      await sink.push(`${line}\r\n`);
    }
  }
  await sink.flush();
}
