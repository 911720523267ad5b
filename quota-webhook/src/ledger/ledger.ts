/**
 * The usage ledger: validated records are priced with the control plane's own
 * table at their own time, enriched from the directory, inserted idempotently
 * by id, and the running totals of the time zones in use are updated in the
 * same transaction.
 */
import type { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import { parseUsd } from '@tokenmeter/instrumentation/pricing';
import type { IngestOutcome, LedgerRow, Store, TotalRow } from '../store/types.js';
import type { UsageRecordInput } from './record-schema.js';
import { ledgerDeltas } from './totals.js';

/** Largest cost one record may carry: the ledger's 64-bit pico-USD column ($9.2 M). */
export const MAX_RECORD_COST_PICO = 2n ** 63n - 1n;

export interface DirectoryLookup {
  (user: string): { department?: string; org?: string } | undefined;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  unpriced: number;
  /** Rows actually inserted (for feed/provider-usage notifications). */
  rows: LedgerRow[];
  /** With `returnTotals`: the touched running totals after the batch. */
  totals?: TotalRow[];
}

function opt(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === '' ? null : v;
}

/** Turns a validated wire record into a priced, enriched ledger row. */
export function toLedgerRow(r: UsageRecordInput, catalog: PriceCatalog, directory: DirectoryLookup, nowMs: number): LedgerRow {
  const tokens = {
    input: r.tokens.input ?? 0,
    output: r.tokens.output ?? 0,
    cache_read: r.tokens.cache_read ?? 0,
    cache_write: r.tokens.cache_write ?? 0,
    reasoning: r.tokens.reasoning ?? 0,
  };
  const time_ms = Date.parse(r.time);
  let org = opt(r.org);
  let department = opt(r.department);
  const user = opt(r.user);
  if (user !== null && (org === null || department === null)) {
    const entry = directory(user);
    if (entry) {
      org ??= entry.org ?? null;
      department ??= entry.department ?? null;
    }
  }
  const model = opt(r.response_model) ?? opt(r.request_model) ?? undefined;
  const price = catalog.price({
    provider: r.provider, model, timeMs: time_ms, org: org ?? undefined, serviceTier: opt(r.service_tier) ?? undefined, tokens,
  });
  const fp = r.fingerprint;
  return {
    id: r.id, time_ms, org, department, user_id: user, feature: opt(r.feature), project: opt(r.project),
    investigation: opt(r.investigation), session_id: opt(r.session), provider: r.provider, operation: r.operation,
    request_model: opt(r.request_model), response_model: opt(r.response_model), service_tier: opt(r.service_tier), ...tokens,
    tokens: tokens.input + tokens.output + tokens.cache_read + tokens.cache_write + tokens.reasoning,
    cost_pico: price.priced ? price.costPicoUsd : null, price_id: price.priced ? (price.priceId ?? null) : null,
    sender_cost_usd: opt(r.cost_usd), outcome: r.outcome, error_type: opt(r.error_type), latency_ms: r.latency_ms,
    source: r.source, service: opt(r.service), stream: r.stream === undefined ? null : r.stream ? 1 : 0,
    prefix_hash: fp?.prefix_hash ?? null, request_hash: fp?.request_hash ?? null, prefix_tokens: fp?.prefix_tokens ?? null,
    max_output_tokens: fp?.max_output_tokens ?? null, finish_reason: opt(fp?.finish_reason), ingested_ms: nowMs,
  };
}

export class Ledger {
  /** Ingests in flight, and a running rebuild: a rebuild waits for the first and holds back new ones, so no batch's totals fall between its read and its write. */
  private readonly _ingests = new Set<Promise<unknown>>();
  private _exclusive: Promise<unknown> | undefined;

  constructor(
    private readonly _store: Store,
    private readonly _timeZones: () => readonly string[],
  ) {}

  async ingestRows(rows: readonly LedgerRow[], options: { returnTotals?: boolean } = {}): Promise<IngestResult> {
    // A batch may repeat an id: keep the first, count the rest as duplicates.
    const seen = new Set<string>();
    const unique: LedgerRow[] = [];
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      unique.push(r);
    }
    while (this._exclusive) await this._exclusive.catch(() => undefined);
    let inserted: LedgerRow[] = [];
    const run = this._store.ingest(unique, (ins) => {
      inserted = [...ins];
      // The zones in use when the rows are inserted (a zone added meanwhile is rebuilt from the records).
      return ledgerDeltas(ins, this._timeZones());
    }, options);
    this._ingests.add(run);
    let res: IngestOutcome;
    try {
      res = await run;
    } finally {
      this._ingests.delete(run);
    }
    return {
      accepted: res.accepted,
      duplicates: res.duplicates + (rows.length - unique.length),
      unpriced: inserted.filter((r) => r.cost_pico === null).length,
      rows: inserted,
      ...(res.totals !== undefined ? { totals: res.totals } : {}),
    };
  }

  /** Recomputes the totals of `tzs` (default: every zone in use) from the records; with `rollup`, the analytics rollup too. */
  async rebuildTotals(tzs: readonly string[] = this._timeZones(), options: { rollup?: boolean } = {}): Promise<{ records: number; totals: number }> {
    while (this._exclusive) await this._exclusive.catch(() => undefined);
    const run = (async () => {
      await Promise.allSettled([...this._ingests]);
      return this._store.rebuildTotals(tzs, (rows) => ledgerDeltas(rows, tzs), options);
    })();
    this._exclusive = run;
    try {
      return await run;
    } finally {
      if (this._exclusive === run) this._exclusive = undefined;
    }
  }

  /** Re-prices the records of [from, to) with `catalog`; returns how many changed. Totals are rebuilt after. */
  async reprice(catalog: PriceCatalog, from: number, to: number): Promise<{ records: number; changed: number; delta_pico: bigint }> {
    let after: { time_ms: number; id: string } | undefined;
    let records = 0;
    let changed = 0;
    let delta = 0n;
    for (;;) {
      const page = await this._store.queryRecords({ from, to }, 5000, after);
      if (page.length === 0) break;
      const updates: Array<{ id: string; cost_pico: bigint | null; price_id: string | null }> = [];
      for (const r of page) {
        records++;
        const p = catalog.price({
          provider: r.provider, model: r.response_model ?? r.request_model ?? undefined, timeMs: r.time_ms,
          org: r.org ?? undefined, serviceTier: r.service_tier ?? undefined,
          tokens: { input: r.input, output: r.output, cache_read: r.cache_read, cache_write: r.cache_write, reasoning: r.reasoning },
        });
        const cost = p.priced ? p.costPicoUsd : null;
        const priceId = p.priced ? (p.priceId ?? null) : null;
        if (cost !== r.cost_pico || priceId !== r.price_id) {
          updates.push({ id: r.id, cost_pico: cost, price_id: priceId });
          delta += (cost ?? 0n) - (r.cost_pico ?? 0n);
          changed++;
        }
      }
      if (updates.length > 0) await this._store.updateCosts(updates);
      const last = page[page.length - 1]!;
      after = { time_ms: last.time_ms, id: last.id };
    }
    if (changed > 0) await this.rebuildTotals(this._timeZones(), { rollup: true });
    return { records, changed, delta_pico: delta };
  }
}

/** Exact USD string of the sender's cost, validated (kept only for comparison). */
export function senderCostPico(v: string | null): bigint | null {
  return v === null ? null : parseUsd(v);
}
