/** `/usage`: ingest (`POST`), queries and groups (`GET`), export (`GET /usage/export`). */
import { z } from 'zod';
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { RECORD_CSV_COLUMNS, recordCsvValues, recordView } from '../ledger/record-view.js';
import type { ControlPlane } from '../control-plane.js';
import type { RejectedRecord, UsageIngestResponse } from '@tokenmeter/instrumentation/protocol';
import { ApiError, parseOr400, zodDetails } from '../errors.js';
import { recordFilterFields } from '../ledger/record-filters.js';
import { usageBatchSchema, usageRecordSchema, type UsageRecordInput } from '../ledger/record-schema.js';
import { GROUP_BY, type LedgerRow, type RecordFilter } from '../store/types.js';
import type { Telemetry } from '../telemetry.js';
import { instant, intParam } from './params.js';
import type { Api } from './route.js';

const filterFields = {
  from: instant.optional(),
  to: instant.optional(),
  ...recordFilterFields,
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

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(r: LedgerRow): string {
  return `${recordCsvValues(r).map(csvCell).join(',')}\n`;
}

/** The answer of `POST /usage` (protocol.ts `UsageIngestResponse`), for the OpenAPI document. */
export const ingestResponseSchema = z.strictObject({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  unpriced: z.number().int(),
  rejected: z.array(z.strictObject({ index: z.number().int(), id: z.string().optional(), code: z.string(), message: z.string() })),
});

export function mountUsage(api: Api, cp: ControlPlane, telemetry: Telemetry): void {
  const batchSchema = usageBatchSchema(cp.config.maxBatchRecords);
  const envelopeSchema = z.strictObject({ records: z.array(z.unknown()).max(cp.config.maxBatchRecords) });
  api.add({
    method: 'post', path: '/usage', tag: 'usage', roles: ['ingest'], body: batchSchema, manualBody: true, statuses: [200], response: ingestResponseSchema,
    summary: 'Ingest a batch of usage records: each is judged on its own (idempotent by id; the accepted ones are durable before 200; refused ones are listed in `rejected` by index and must not be re-sent)',
  }, async ({ req }) => {
    const raw = req.body as { records?: unknown } | undefined;
    if (raw && Array.isArray(raw.records) && raw.records.length > cp.config.maxBatchRecords) {
      telemetry.ingestBatches.inc({ result: 'invalid' });
      throw new ApiError(413, 'batch_too_large', `records: ${raw.records.length} records in one batch; at most ${cp.config.maxBatchRecords} are accepted`,
        [{ path: 'records', message: `at most ${cp.config.maxBatchRecords} records per batch` }]);
    }
    let envelope;
    try {
      envelope = parseOr400(envelopeSchema, req.body);
    } catch (error) {
      telemetry.ingestBatches.inc({ result: 'invalid' });
      throw error;
    }
    // Each record on its own: a bad one is refused by index, the rest go in.
    const valid: UsageRecordInput[] = [];
    const indexOf: number[] = [];
    const rejected: RejectedRecord[] = [];
    envelope.records.forEach((r, index) => {
      const parsed = usageRecordSchema.safeParse(r);
      if (parsed.success) {
        valid.push(parsed.data);
        indexOf.push(index);
        return;
      }
      const id = typeof (r as { id?: unknown } | null)?.id === 'string' ? (r as { id: string }).id : undefined;
      const details = zodDetails(parsed.error);
      rejected.push({
        index, ...(id !== undefined ? { id } : {}), code: 'invalid_record',
        message: details.map((d) => `records[${index}]${d.path === '' ? '' : `.${d.path}`}: ${d.message}`).join('; '),
      });
    });
    const result = await cp.intake.ingest(valid);
    for (const r of result.rejected) rejected.push({ ...r, index: indexOf[r.index]! });
    rejected.sort((a, b) => a.index - b.index);
    telemetry.ingestBatches.inc({ result: rejected.length === 0 ? 'ok' : 'partial' });
    telemetry.ingestedRecords.inc({ result: 'accepted' }, result.accepted);
    telemetry.ingestedRecords.inc({ result: 'duplicate' }, result.duplicates);
    telemetry.ingestedRecords.inc({ result: 'unpriced' }, result.unpriced);
    telemetry.ingestedRecords.inc({ result: 'rejected' }, rejected.length);
    const out: UsageIngestResponse = { accepted: result.accepted, duplicates: result.duplicates, unpriced: result.unpriced, rejected };
    return out;
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
    res.write(format === 'csv' ? `${RECORD_CSV_COLUMNS.join(',')}\n` : '{"records":[');
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
