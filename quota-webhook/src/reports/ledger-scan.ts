/**
 * Reading the ledger for a report: records in (time, id) order through the
 * store's cursor, one page at a time, never the whole period in memory. A
 * report is a snapshot: records ingested after its generation time are left
 * out of every pass, so totals and rows agree even while ingest goes on.
 */
import type { LedgerRow, RecordFilter, Store } from '../store/types.js';
import type { ReportFilters, UsageDimension } from './definition.js';
import type { ReportPeriod } from './model.js';

export const SCAN_PAGE_SIZE = 2000;

export function recordFilter(period: ReportPeriod, filters: ReportFilters): RecordFilter {
  const f: RecordFilter = { from: period.from, to: period.to };
  for (const [k, v] of Object.entries(filters)) if (v !== undefined) (f as Record<string, unknown>)[k] = v;
  return f;
}

/** Pages of the records matching `filter`, ingested at or before `snapshotMs`, in (time, id) order. */
export async function* scanLedger(store: Store, filter: RecordFilter, snapshotMs: number, pageSize = SCAN_PAGE_SIZE): AsyncGenerator<LedgerRow[]> {
  let after: { time_ms: number; id: string } | undefined;
  for (;;) {
    const page = await store.queryRecords(filter, pageSize, after);
    if (page.length === 0) return;
    const rows = page.filter((r) => r.ingested_ms <= snapshotMs);
    if (rows.length > 0) yield rows;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { time_ms: last.time_ms, id: last.id };
  }
}

/** The model a record was billed for: the response model, else the requested one. */
export function modelOf(r: LedgerRow): string | null {
  return r.response_model ?? r.request_model;
}

/** A record's value of a usage dimension (`null` when the record has none). */
export function dimensionOf(r: LedgerRow, d: UsageDimension): string | null {
  switch (d) {
    case 'user': return r.user_id;
    case 'session': return r.session_id;
    case 'model': return modelOf(r);
    default: return r[d];
  }
}
