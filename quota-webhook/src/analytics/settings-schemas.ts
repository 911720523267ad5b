/** Validation of what admins store for chargeback and recommendations: allocation rules, feature values, batchable marks, dismissals. */
import { z } from 'zod';
import { ALLOCATION_ATTRIBUTES, type AllocationAttribute } from './allocation.js';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const idParam = z.string().regex(ID_PATTERN, 'must be 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

const USD = /^\d{1,15}(\.\d{1,12})?$/;
const usd = z.string().regex(USD, 'must be a non-negative decimal USD string with at most 12 fractional digits, e.g. "0.25"');
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
export const effectiveDate = z.string().refine((s) => (DATE_ONLY.test(s) || RFC3339.test(s)) && !Number.isNaN(Date.parse(DATE_ONLY.test(s) ? `${s}T00:00:00Z` : s)), {
  message: 'must be a YYYY-MM-DD date (midnight UTC) or an RFC 3339 date-time',
});

export function effectiveMs(s: string): number {
  return Date.parse(DATE_ONLY.test(s) ? `${s}T00:00:00Z` : s);
}

const name = z.string().min(1, 'must not be empty').max(512);
const matchValue = name.nullable().optional();

const weight = z.number().finite().nonnegative('must be >= 0').max(1e9, 'must be at most 1e9')
  .refine((w) => Math.abs(Math.round(w * 1e6) - w * 1e6) <= 1e-6 * Math.max(1, w * 1e6), { message: 'must have at most 6 fractional digits' });

export const allocationRuleBody = z.strictObject({
  description: z.string().max(1000).optional(),
  match: z.strictObject(Object.fromEntries(ALLOCATION_ATTRIBUTES.map((a) => [a, matchValue])) as Record<AllocationAttribute, typeof matchValue>)
    .refine((m) => Object.values(m).some((v) => v !== undefined), { message: `must name at least one of ${ALLOCATION_ATTRIBUTES.join(', ')} (null = the record carries none)` })
    .describe('Which spend is shared: every attribute given must be equal; null = the record carries no such attribute'),
  receivers: z.array(name).min(1, 'must list at least one department').max(10_000).optional()
    .describe('Departments that receive the pool (default: every department with direct spend in the org)'),
  weights: z.record(name, weight).optional()
    .refine((w) => w === undefined || Object.values(w).some((v) => v > 0), { message: 'must give at least one department a weight > 0' })
    .describe('Fixed weight per department, used by shared=weights (relative: they need not sum to 100)'),
});
export type AllocationRuleBody = z.output<typeof allocationRuleBody>;

export const featureValueBody = z.strictObject({
  effective_from: effectiveDate.describe('From when this value applies (a later version replaces it from its own date)'),
  usd_per_success: usd.optional().describe('USD earned per successful request (outcome ok)'),
  usd_per_month: usd.optional().describe('USD earned per calendar month, pro rata'),
}).refine((b) => b.usd_per_success !== undefined || b.usd_per_month !== undefined, { message: 'give usd_per_success, usd_per_month or both', path: ['usd_per_success'] });
export type FeatureValueBody = z.output<typeof featureValueBody>;

export const batchableBody = z.strictObject({
  batchable: z.boolean().describe('Whether the feature\'s calls may wait for the Batch API (up to 24 h)'),
});

export const dismissBody = z.strictObject({ reason: z.string().max(1000).optional() }).optional();
