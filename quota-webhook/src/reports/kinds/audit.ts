/**
 * The `audit` kind: the ledger's records over the period, one row each, in
 * (time, id) order, streamed page by page from the store's cursor (a month of
 * millions of records is never held in memory). Times are in the report's
 * time zone; `cost_usd` is the ledger's exact cost, empty when unpriced.
 */
import type { UsageDimension } from '../definition.js';
import { modelOf, recordFilter, scanLedger } from '../ledger-scan.js';
import { LedgerSummary } from '../ledger-summary.js';
import type { Column, Report, ReportSummary, Row } from '../model.js';
import { DEFAULT_TITLES, describeFilters, type KindInput } from './context.js';

export const AUDIT_COLUMNS: readonly Column[] = [
  { id: 'time', label: 'Time', type: 'time', pdfWidth: 1.9 },
  { id: 'id', label: 'Record id', type: 'text' },
  { id: 'org', label: 'Org', type: 'text', pdfWidth: 0.9 },
  { id: 'department', label: 'Department', type: 'text', pdfWidth: 1.1 },
  { id: 'user', label: 'User', type: 'text', pdfWidth: 1.1 },
  { id: 'feature', label: 'Feature', type: 'text', pdfWidth: 1.1 },
  { id: 'project', label: 'Project', type: 'text' },
  { id: 'investigation', label: 'Investigation', type: 'text' },
  { id: 'session', label: 'Session', type: 'text' },
  { id: 'provider', label: 'Provider', type: 'text', pdfWidth: 0.9 },
  { id: 'operation', label: 'Operation', type: 'text' },
  { id: 'model', label: 'Model', type: 'text', pdfWidth: 1.4 },
  { id: 'request_model', label: 'Requested model', type: 'text' },
  { id: 'response_model', label: 'Response model', type: 'text' },
  { id: 'service_tier', label: 'Service tier', type: 'text' },
  { id: 'input_tokens', label: 'Input tok.', type: 'integer', pdfWidth: 0.9 },
  { id: 'output_tokens', label: 'Output tok.', type: 'integer', pdfWidth: 0.9 },
  { id: 'cache_read_tokens', label: 'Cache read tok.', type: 'integer' },
  { id: 'cache_write_tokens', label: 'Cache write tok.', type: 'integer' },
  { id: 'reasoning_tokens', label: 'Reasoning tok.', type: 'integer' },
  { id: 'total_tokens', label: 'Total tokens', type: 'integer' },
  { id: 'cost_usd', label: 'Cost (USD)', type: 'usd', pdfWidth: 1.3 },
  { id: 'unpriced', label: 'Unpriced', type: 'boolean' },
  { id: 'price_id', label: 'Price id', type: 'text' },
  { id: 'outcome', label: 'Outcome', type: 'text', pdfWidth: 0.7 },
  { id: 'error_type', label: 'Error type', type: 'text' },
  { id: 'latency_ms', label: 'Latency (ms)', type: 'number' },
  { id: 'source', label: 'Source', type: 'text' },
  { id: 'service', label: 'Service', type: 'text' },
  { id: 'stream', label: 'Streamed', type: 'boolean' },
  { id: 'prefix_hash', label: 'Prompt prefix hash', type: 'text' },
  { id: 'request_hash', label: 'Request hash', type: 'text' },
  { id: 'prefix_tokens', label: 'Prefix tokens', type: 'integer' },
  { id: 'max_output_tokens', label: 'Max output tokens', type: 'integer' },
  { id: 'finish_reason', label: 'Finish reason', type: 'text' },
  { id: 'ingested_at', label: 'Ingested', type: 'time' },
];

export function auditReport({ def, period, ctx }: KindInput): Report {
  const filter = recordFilter(period, def.filters);
  const rankBy: UsageDimension = def.group_by[0] ?? 'model';
  let cached: ReportSummary | undefined;

  async function* rows(): AsyncGenerator<Row[]> {
    const summary = new LedgerSummary(period, 'none', rankBy);
    for await (const page of scanLedger(ctx.store, filter, ctx.now)) {
      const out: Row[] = new Array(page.length);
      for (let i = 0; i < page.length; i++) {
        const r = page[i]!;
        summary.add(r);
        out[i] = [
          r.time_ms, r.id, r.org, r.department, r.user_id, r.feature, r.project, r.investigation, r.session_id, r.provider, r.operation,
          modelOf(r), r.request_model, r.response_model, r.service_tier, r.input, r.output, r.cache_read, r.cache_write, r.reasoning,
          r.tokens, r.cost_pico, r.cost_pico === null, r.price_id, r.outcome, r.error_type, r.latency_ms, r.source, r.service,
          r.stream === null ? null : r.stream === 1, r.prefix_hash, r.request_hash, r.prefix_tokens, r.max_output_tokens, r.finish_reason, r.ingested_ms,
        ];
      }
      summary.rows += out.length;
      yield out;
    }
    cached = summary.summary();
  }

  return {
    meta: {
      title: def.title ?? DEFAULT_TITLES.audit, kind: 'audit', period, generatedAt: ctx.now, filters: describeFilters(def),
      groupBy: def.group_by, granularity: 'none',
      notes: ['Every ledger record of the period ingested by the generation time, in time order.'],
    },
    columns: AUDIT_COLUMNS,
    rows,
    async summary() {
      if (!cached) for await (const _ of rows()) { /* the pass fills the summary */ }
      return cached!;
    },
  };
}
