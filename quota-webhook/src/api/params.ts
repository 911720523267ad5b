/** Shared query-parameter schemas. */
import { z } from 'zod';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** RFC 3339 date-time or `YYYY-MM-DD` (UTC midnight) → epoch ms. */
export const instant = z.string().refine((s) => (DATE_ONLY.test(s) || RFC3339.test(s)) && !Number.isNaN(Date.parse(s)), {
  message: 'must be an RFC 3339 date-time or a YYYY-MM-DD date',
}).transform((s) => Date.parse(DATE_ONLY.test(s) ? `${s}T00:00:00Z` : s));

export const text = z.string().min(1, 'must not be empty').max(512);

export function intParam(min: number, max: number) {
  return z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be from ${min} to ${max}` });
}
