/** Validation of `POST /api/v1/usage` (the `UsageRecord` wire shape of protocol.ts), strict: unknown fields are rejected. */
import { z } from 'zod';
import { PROMPT_HASH_PATTERN, USAGE_LIMITS, type UsageRecord } from '@tokenmeter/instrumentation/protocol';
import { OUTCOMES } from '@tokenmeter/instrumentation/semconv';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const USD = /^-?\d+(\.\d{1,12})?$/;

export const rfc3339 = z.string().refine((s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)), {
  message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z',
});

const optText = z.string().max(512).nullish();
const count = z.number().int('must be an integer').nonnegative('must be >= 0').max(Number.MAX_SAFE_INTEGER).optional();

export const tokenUsageSchema = z.strictObject({
  input: count,
  output: count,
  cache_read: count,
  cache_write: count,
  reasoning: count,
});

const promptHash = z.string().regex(PROMPT_HASH_PATTERN, 'must be 8-64 lower-case hex digits');

export const usageRecordSchema = z.strictObject({
  id: z.string().min(1, 'must not be empty').max(256),
  time: rfc3339,
  org: optText,
  department: optText,
  user: optText,
  feature: optText,
  investigation: optText,
  session: optText,
  project: optText,
  provider: z.string().min(1, 'must not be empty').max(128),
  operation: z.string().min(1, 'must not be empty').max(128),
  request_model: optText,
  response_model: optText,
  service_tier: optText,
  tokens: tokenUsageSchema,
  cost_usd: z.string().regex(USD, 'must be a decimal USD string with at most 12 fractional digits').nullish(),
  price_id: optText,
  outcome: z.enum(OUTCOMES),
  error_type: optText,
  latency_ms: z.number().nonnegative('must be >= 0'),
  source: z.string().min(1, 'must not be empty').max(128),
  service: optText,
  stream: z.boolean().optional(),
  fingerprint: z.strictObject({
    prefix_hash: promptHash,
    request_hash: promptHash,
    prefix_tokens: z.number().int('must be an integer').nonnegative('must be >= 0').max(USAGE_LIMITS.maxTokensPerType),
    max_output_tokens: z.number().int('must be an integer').positive('must be > 0').max(USAGE_LIMITS.maxTokensPerType).optional(),
    finish_reason: z.string().min(1).max(USAGE_LIMITS.maxFinishReasonChars).optional(),
  }).optional(),
});

export type UsageRecordInput = z.output<typeof usageRecordSchema>;

export function usageBatchSchema(maxRecords: number) {
  return z.strictObject({
    records: z.array(usageRecordSchema).max(maxRecords, `at most ${maxRecords} records per batch`),
  });
}

// The schema and the wire type `UsageRecord` (protocol.ts) cannot drift apart: every wire record must
// satisfy the schema's input type, and the schema may accept no field the wire type lacks.
type SchemaInput = z.input<typeof usageRecordSchema>;
export const wireRecordFitsSchema = (r: UsageRecord): SchemaInput => r;
type ExtraField = Exclude<keyof SchemaInput, keyof UsageRecord>;
type MissingField = Exclude<keyof UsageRecord, keyof SchemaInput>;
const _noExtraField: [ExtraField] extends [never] ? true : ExtraField = true;
const _noMissingField: [MissingField] extends [never] ? true : MissingField = true;
void _noExtraField;
void _noMissingField;
