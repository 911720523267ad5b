/** `/usage`: ingest (`POST`), queries and groups (`GET`), export (`GET /usage/export`). */
import { z } from 'zod';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { ApiError, parseOr400 } from '../errors.js';
import { usageBatchSchema } from '../ledger/record-schema.js';
import { GROUP_BY, type LedgerRow, type RecordFilter } from '../store/types.js';
import type { Telemetry } from '../telemetry.js';
import { instant, intParam, text } from './params.js';
import type { Api } from './route.js';

const filterFields = {
  from: instant.optional(),
  to: instant.optional(),
  org: text.optional(),
  department: text.optional(),
  user: text.optional(),
  feature: text.optional(),
  provider: text.optional(),
  model: text.optional(),
  investigation: text.optional(),
  session: text.optional(),
  outcome: text.optional(),
};

export const usageQuerySchema = z.strictObject({
  ...filterFields,
  group_by: z.enum(GROUP_BY).optional(),
  limit: intParam(1, 10_000).optional(),
  cursor: z.string().regex(/^\d+:.+$/, 'must be a cursor returned as next_cursor').optional(),
});

export const exportQuerySchema = z.strictObject({ ...filterFields, format: z.enum(['csv', 'json']).optional() });

function filterOf(q: Partial<Record<keyof typeof filterFields, string | number | undefined>>): RecordFilter {
  const f: RecordFilter = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && k in filterFields) (f as Record<string, unknown>)[k] = v;
  return f;
}

/** The wire form of a ledger row (a `UsageRecord` plus the ledger's own price and flags). */
export function recordView(r: LedgerRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id, time: new Date(r.time_ms).toISOString(), org: r.org, department: r.department, user: r.user_id, feature: r.feature,
    investigation: r.investigation, session: r.session_id, provider: r.provider, operation: r.operation,
    request_model: r.request_model, response_model: r.response_model, service_tier: r.service_tier,
    tokens: { input: r.input, output: r.output, cache_read: r.cache_read, cache_write: r.cache_write, reasoning: r.reasoning },
    total_tokens: r.tokens, cost_usd: r.cost_pico === null ? null : formatUsd(r.cost_pico), unpriced: r.cost_pico === null,
    price_id: r.price_id, sender_cost_usd: r.sender_cost_usd, outcome: r.outcome, error_type: r.error_type,
    latency_ms: r.latency_ms, source: r.source, service: r.service,
  };
  for (const k of Object.keys(out)) if (out[k] === null && k !== 'cost_usd' && k !== 'price_id') delete out[k];
  return out;
}

const CSV_COLUMNS = ['id', 'time', 'org', 'department', 'user', 'feature', 'investigation', 'session', 'provider', 'operation',
  'request_model', 'response_model', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
  'reasoning_tokens', 'total_tokens', 'cost_usd', 'unpriced', 'price_id', 'outcome', 'error_type', 'latency_ms', 'source'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(r: LedgerRow): string {
  const values = [r.id, new Date(r.time_ms).toISOString(), r.org, r.department, r.user_id, r.feature, r.investigation, r.session_id,
    r.provider, r.operation, r.request_model, r.response_model, r.input, r.output, r.cache_read, r.cache_write, r.reasoning, r.tokens,
    r.cost_pico === null ? '' : formatUsd(r.cost_pico), r.cost_pico === null, r.price_id, r.outcome, r.error_type, r.latency_ms, r.source];
  return `${values.map(csvCell).join(',')}\n`;
}

export function mountUsage(api: Api, cp: ControlPlane, telemetry: Telemetry): void {
  const batchSchema = usageBatchSchema(cp.config.maxBatchRecords);
  api.add({
    method: 'post', path: '/usage', tag: 'usage', roles: ['ingest'], body: batchSchema, manualBody: true, statuses: [200],
    summary: 'Ingest a batch of usage records (idempotent by id; durable before 200)',
  }, async ({ req }) => {
    const raw = req.body as { records?: unknown } | undefined;
    if (raw && Array.isArray(raw.records) && raw.records.length > cp.config.maxBatchRecords) {
      telemetry.ingestBatches.inc({ result: 'invalid' });
      throw new ApiError(413, 'batch_too_large', `records: ${raw.records.length} records in one batch; at most ${cp.config.maxBatchRecords} are accepted`,
        [{ path: 'records', message: `at most ${cp.config.maxBatchRecords} records per batch` }]);
    }
    let batch;
    try {
      batch = parseOr400(batchSchema, req.body);
    } catch (error) {
      telemetry.ingestBatches.inc({ result: 'invalid' });
      throw error;
    }
    const result = await cp.ingest(batch.records);
    telemetry.ingestBatches.inc({ result: 'ok' });
    telemetry.ingestedRecords.inc({ result: 'accepted' }, result.accepted);
    telemetry.ingestedRecords.inc({ result: 'duplicate' }, result.duplicates);
    telemetry.ingestedRecords.inc({ result: 'unpriced' }, result.unpriced);
    return { accepted: result.accepted, duplicates: result.duplicates, unpriced: result.unpriced };
  });

  api.add({
    method: 'get', path: '/usage', tag: 'usage', roles: ['read'], query: usageQuerySchema,
    summary: 'Query ledger records, or group them (group_by) by investigation, session, user, feature, model, department, org, provider, day or hour',
  }, async ({ query }) => {
    const filter = filterOf(query);
    const limit = query.limit ?? 1000;
    if (query.group_by) {
      const groups = await cp.store.groupRecords(filter, query.group_by, limit);
      const isTime = query.group_by === 'day' || query.group_by === 'hour';
      return {
        group_by: query.group_by,
        groups: groups.map((g) => ({
          key: g.key === null ? null : isTime ? new Date(Number(g.key)).toISOString() : g.key,
          requests: g.requests,
          tokens: { input: g.input, output: g.output, cache_read: g.cache_read, cache_write: g.cache_write, reasoning: g.reasoning, total: g.tokens },
          cost_usd: formatUsd(g.cost_pico),
          unpriced_requests: g.unpriced,
        })),
      };
    }
    let after: { time_ms: number; id: string } | undefined;
    if (query.cursor) {
      const i = query.cursor.indexOf(':');
      after = { time_ms: Number(query.cursor.slice(0, i)), id: query.cursor.slice(i + 1) };
    }
    const rows = await cp.store.queryRecords(filter, limit, after);
    const last = rows[rows.length - 1];
    return { records: rows.map(recordView), next_cursor: rows.length === limit && last ? `${last.time_ms}:${last.id}` : null };
  });

  api.add({
    method: 'get', path: '/usage/export', tag: 'usage', roles: ['read'], query: exportQuerySchema,
    summary: 'Stream ledger records as CSV or JSON', responseContentType: 'text/csv',
  }, async ({ query, res }) => {
    const filter = filterOf(query);
    const format = query.format ?? 'csv';
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="tokenmeter-usage.${format}"`);
    res.write(format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '{"records":[');
    let after: { time_ms: number; id: string } | undefined;
    let first = true;
    for (;;) {
      const page = await cp.store.queryRecords(filter, 2000, after);
      for (const r of page) {
        if (format === 'csv') res.write(csvRow(r));
        else {
          res.write(`${first ? '' : ','}${JSON.stringify(recordView(r))}`);
          first = false;
        }
      }
      if (page.length < 2000) break;
      const last = page[page.length - 1]!;
      after = { time_ms: last.time_ms, id: last.id };
    }
    res.end(format === 'csv' ? '' : ']}');
  });
}
