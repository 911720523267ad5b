/**
 * The ledger's door: each validated record is judged on its own (plausible
 * values, a cost the ledger can hold), priced with the current catalog at
 * its own time, enriched from the directory, and the good ones ingested in
 * one durable batch. A bad record is rejected by index and never holds back
 * the rest (senders drop what is rejected instead of retrying it).
 */
import { implausibility, type RejectedRecord } from '@tokenmeter/instrumentation/protocol';
import type { Directory } from '../directory/directory.js';
import type { Prices } from '../prices/prices.js';
import type { LedgerRow, TotalRow } from '../store/types.js';
import { MAX_RECORD_COST_PICO, toLedgerRow, type IngestResult, type Ledger } from './ledger.js';
import type { UsageRecordInput } from './record-schema.js';

export interface IntakeResult extends IngestResult {
  /** Records refused, by their index in the given array. */
  rejected: RejectedRecord[];
}

export class UsageIntake {
  constructor(
    private readonly _ledger: Ledger,
    private readonly _prices: Prices,
    private readonly _directory: Directory,
    private readonly _clock: () => number,
    /** Called with the rows actually inserted and, when `wantTotals()`, the running totals they touched; awaited before the answer. */
    private readonly _onIngested: (rows: readonly LedgerRow[], totals: readonly TotalRow[]) => Promise<void> | void,
    /** Whether the touched totals are needed (enforcement at ingest: any hard quota). */
    private readonly _wantTotals: () => boolean = () => false,
  ) {}

  /** Judges, prices, enriches and ingests; durable when it resolves. */
  async ingest(records: readonly UsageRecordInput[]): Promise<IntakeResult> {
    const now = this._clock();
    const catalog = this._prices.catalog;
    const lookup = (user: string) => this._directory.get(user);
    const rows: LedgerRow[] = [];
    const rejected: RejectedRecord[] = [];
    records.forEach((r, index) => {
      const why = implausibility(r, now);
      if (why !== undefined) {
        rejected.push({ index, id: r.id, code: 'implausible', message: why });
        return;
      }
      const row = toLedgerRow(r, catalog, lookup, now);
      if (row.cost_pico !== null && row.cost_pico > MAX_RECORD_COST_PICO) {
        rejected.push({ index, id: r.id, code: 'cost_overflow', message: `cost: ${row.cost_pico} pico-USD for one call is beyond what the ledger holds per record (${MAX_RECORD_COST_PICO})` });
        return;
      }
      rows.push(row);
    });
    const result = await this._ledger.ingestRows(rows, { returnTotals: this._wantTotals() });
    if (result.rows.length > 0) await this._onIngested(result.rows, result.totals ?? []);
    return { ...result, rejected };
  }
}
