/**
 * FOCUS 1.2 CSV: the header of `focus/columns.ts` and the kind's FOCUS rows,
 * RFC 4180 like the plain CSV. FOCUS values are data for FinOps tools, not
 * for spreadsheets: numbers stay bare; text values that could start a formula
 * get the same leading `'` as in the plain CSV.
 */
import type { Writable } from 'node:stream';
import { FOCUS_HEADER } from '../focus/columns.js';
import type { Report } from '../model.js';
import { neutralise, quote } from './csv.js';
import { TextSink } from './sink.js';

/** Columns whose values are numbers (written bare). */
const NUMERIC = new Set(['BilledCost', 'ConsumedQuantity', 'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'ListCost', 'ListUnitPrice', 'PricingQuantity']);

export async function writeFocus(report: Report, out: Writable): Promise<void> {
  if (!report.focusRows) throw new Error(`the ${report.meta.kind} report has no FOCUS form`);
  const sink = new TextSink(out);
  await sink.push(`${FOCUS_HEADER.join(',')}\r\n`);
  for await (const page of report.focusRows()) {
    for (const row of page) {
      const cells = FOCUS_HEADER.map((h) => {
        const v = row[h] ?? null;
        if (v === null) return '';
        return NUMERIC.has(h) ? v : quote(h === 'Tags' ? v : neutralise(v));
      });
      await sink.push(`${cells.join(',')}\r\n`);
    }
  }
  await sink.flush();
}
