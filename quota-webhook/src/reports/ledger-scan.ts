/**
 * Reading the ledger for a report: records in (time, id) order, one page at
 * a time, never the whole period in memory. A report is a snapshot: records
 * ingested after its generation time are left out of every pass, so totals
 * and rows agree even while ingest goes on.
 *
 * The pages are read with `store.readQuery` and a row-value cursor,
 * `(time_ms, id) > (?, ?) AND time_ms < ?`, which both databases answer from
 * the (time_ms, id) index starting at the cursor: every page costs the same
 * however deep into the period it is. (`queryRecords` keeps `time_ms >= from`
 * next to its cursor, so SQLite walks the index from the period start on
 * every page, and a month of a million records reads quadratically.) Small
 * pages keep little alive across the awaits of a slow client, so the
 * process's memory does not grow with the report.
 */
import { ledgerRowFrom } from '../store/rows.js';
import { whereClause } from '../store/sql.js';
import type { LedgerRow, RecordFilter, Store } from '../store/types.js';
import type { ReportFilters, UsageDimension } from './definition.js';
import type { ReportPeriod } from './model.js';

export const SCAN_PAGE_SIZE = 250;

export function recordFilter(period: ReportPeriod, filters: ReportFilters): RecordFilter & { from: number; to: number } {
  const f: RecordFilter & { from: number; to: number } = { from: period.from, to: period.to };
  for (const [k, v] of Object.entries(filters)) if (v !== undefined) (f as unknown as Record<string, unknown>)[k] = v;
  return f;
}

/** Pages of the records of [filter.from, filter.to) matching the rest of `filter`, ingested at or before `snapshotMs`, in (time, id) order. */
export async function* scanLedger(store: Store, filter: RecordFilter & { from: number; to: number }, snapshotMs: number, pageSize = SCAN_PAGE_SIZE): AsyncGenerator<LedgerRow[]> {
  const { from, to, ...rest } = filter;
  const w = whereClause(rest);
  const others = w.sql === '' ? '' : `${w.sql.replace(/^ WHERE /, '')} AND `;
  const first = `SELECT * FROM records WHERE ${others}time_ms >= ? AND time_ms < ? ORDER BY time_ms, id LIMIT ?`;
  const next = `SELECT * FROM records WHERE ${others}(time_ms, id) > (?, ?) AND time_ms < ? ORDER BY time_ms, id LIMIT ?`;
  let after: { time_ms: number; id: string } | undefined;
  for (;;) {
    const raw = after === undefined
      ? await store.readQuery(first, [...w.params, from, to, pageSize])
      : await store.readQuery(next, [...w.params, after.time_ms, after.id, to, pageSize]);
    if (raw.length === 0) return;
    const page = raw.map(ledgerRowFrom);
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
