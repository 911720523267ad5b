/** Quotas and budgets: wire schemas (strict, fields named in errors) and the stored shape. */
import { z } from 'zod';
import { QUOTA_METRICS, QUOTA_PERIODS, QUOTA_SCOPES } from '@tokenmeter/instrumentation/protocol';
import type { QuotaMetric, QuotaPeriod, QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { isValidTimeZone } from './periods.js';

export const DEFAULT_THRESHOLDS = [0.8, 0.9, 1.0] as const;

const name = z.string().min(1, 'must not be empty').max(200);
const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
const subject = z.string().min(1, 'must not be empty').max(256);
const limit = z.number({ error: 'must be a number' }).positive('must be > 0').max(1e15, 'must be <= 1e15');
const timezone = z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' });
const thresholds = z.array(z.number().positive('must be > 0').max(10, 'must be <= 10 (1000 %)'))
  .min(1, 'must list at least one threshold').max(10, 'at most 10 thresholds')
  .refine((a) => new Set(a).size === a.length, { message: 'must not repeat a threshold' });

const quotaFields = {
  name: name.optional(),
  scope: z.enum(QUOTA_SCOPES),
  subject,
  overrides: z.record(subject, limit).optional(),
  metric: z.enum(QUOTA_METRICS),
  period: z.enum(QUOTA_PERIODS),
  timezone: timezone.optional(),
  limit,
  enforcement: z.enum(['soft', 'hard']).optional(),
  thresholds: thresholds.optional(),
  org: subject.optional(),
};

export const quotaCreateSchema = z.strictObject({ id: idSchema.optional(), ...quotaFields });
export const quotaPutSchema = z.strictObject({ id: idSchema.optional(), ...quotaFields });
export const quotaPatchSchema = z.strictObject({
  name: name.nullable().optional(),
  scope: quotaFields.scope.optional(),
  subject: subject.optional(),
  overrides: z.record(subject, limit).nullable().optional(),
  metric: quotaFields.metric.optional(),
  period: quotaFields.period.optional(),
  timezone: timezone.optional(),
  limit: limit.optional(),
  enforcement: z.enum(['soft', 'hard']).optional(),
  thresholds: thresholds.optional(),
  org: subject.nullable().optional(),
});

const budgetFields = {
  name: name.optional(),
  scope: z.enum(QUOTA_SCOPES),
  subject,
  overrides: z.record(subject, limit).optional(),
  /** USD per period. */
  amount: limit.optional(),
  /** Same as `amount` (quota-style name); give one of the two. */
  limit: limit.optional(),
  period: z.enum(QUOTA_PERIODS).optional(),
  timezone: timezone.optional(),
  thresholds: thresholds.optional(),
  org: subject.optional(),
};
export const budgetCreateSchema = z.strictObject({ id: idSchema.optional(), ...budgetFields })
  .refine((b) => (b.amount === undefined) !== (b.limit === undefined), { message: 'give exactly one of "amount" or "limit" (USD per period)', path: ['amount'] });

/** A stored quota (or a budget seen as a soft cost quota). */
export interface Quota {
  id: string;
  name?: string;
  scope: QuotaScope;
  subject: string;
  overrides?: Record<string, number>;
  metric: QuotaMetric;
  period: QuotaPeriod;
  timezone: string;
  limit: number;
  enforcement: 'soft' | 'hard';
  thresholds: number[];
  org?: string;
  created_at: string;
  updated_at: string;
}

export interface Budget {
  id: string;
  name?: string;
  scope: QuotaScope;
  subject: string;
  overrides?: Record<string, number>;
  amount: number;
  period: QuotaPeriod;
  timezone: string;
  thresholds: number[];
  org?: string;
  created_at: string;
  updated_at: string;
}

/** A budget as the quota it is exported as: soft, cost. */
export function budgetAsQuota(b: Budget): Quota {
  return {
    id: b.id, ...(b.name !== undefined ? { name: b.name } : {}), scope: b.scope, subject: b.subject,
    ...(b.overrides ? { overrides: b.overrides } : {}), metric: 'cost', period: b.period, timezone: b.timezone,
    limit: b.amount, enforcement: 'soft', thresholds: b.thresholds, ...(b.org !== undefined ? { org: b.org } : {}),
    created_at: b.created_at, updated_at: b.updated_at,
  };
}

export function budgetView(b: Budget): Budget & { limit: number; metric: 'cost'; enforcement: 'soft' } {
  return { ...b, limit: b.amount, metric: 'cost', enforcement: 'soft' };
}
