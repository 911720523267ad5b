/**
 * The record attributes the ledger can be filtered by (`GET /usage`, a
 * report's `filters`): one list, so the two doors accept the same names.
 */
import { z } from 'zod';

export const RECORD_FILTER_ATTRIBUTES = [
  'org', 'department', 'user', 'feature', 'project', 'provider', 'model', 'investigation', 'session', 'outcome',
] as const;
export type RecordFilterAttribute = (typeof RECORD_FILTER_ATTRIBUTES)[number];

const value = z.string().min(1, 'must not be empty').max(512);

/** `{attribute: optional non-empty string}` for every filter attribute, to spread into a zod object. */
export const recordFilterFields = Object.fromEntries(RECORD_FILTER_ATTRIBUTES.map((a) => [a, value.optional()])) as
  Record<RecordFilterAttribute, z.ZodOptional<typeof value>>;
