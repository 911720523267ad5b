/**
 * The parameters every `/analytics/*` endpoint shares, parsed once for both
 * halves (summary … quota-suggestions, allocation … recommendations):
 * `scope` + `subject`, `tz` (IANA, default UTC), `as_of` (only records before
 * it count; default now; never in the future beyond a clock-skew allowance)
 * and `from`/`to` (`to` exclusive and never after `as_of`). Times are RFC 3339
 * date-times (an ISO 8601 instant with its offset; seconds optional) or
 * `YYYY-MM-DD` dates, read as local midnight in `tz`. A bad value is a 400
 * naming the parameter, in the same shape and wording as schema errors.
 */
import { z } from 'zod';
import { parseRfc3339 } from '@tokenmeter/instrumentation/protocol';
import type { Window } from '../analytics/chargeback-service.js';
import { ANALYTICS_SCOPES, type AnalyticsScope } from '../analytics/series.js';
import { queryError, type ErrorDetail } from '../errors.js';
import { isValidTimeZone, offsetAt, windowStart } from '../quotas/periods.js';

/** How far `as_of` may run ahead of the service's clock (clock skew): a future as_of would read the days to come as zero. */
export const AS_OF_SKEW_MS = 60_000;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const NO_SECONDS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/i;

/** Epoch ms of a date-time, or of local midnight in `tz` for a date; `undefined` when it names no real instant or day. */
export function instantIn(s: string, tz: string): number | undefined {
  const d = DATE_ONLY.exec(s);
  if (!d) {
    const short = NO_SECONDS.exec(s);
    return parseRfc3339(short ? `${short[1]}:00${short[2]}` : s);
  }
  const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  if (m < 1 || m > 12 || day < 1 || day > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  // Local noon is never in a DST gap; its day's start is the local midnight (or the gap's end).
  const noonUtc = Date.UTC(y, m - 1, day, 12);
  return windowStart('day', noonUtc - offsetAt(noonUtc, tz), tz);
}

export const timeText = z.string().max(64).refine((s) => instantIn(s, 'UTC') !== undefined, {
  message: 'must be an RFC 3339 date-time (e.g. 2026-03-01T09:00:00Z) or a YYYY-MM-DD date (local midnight in tz)',
});

export const timezone = z.string().max(64).refine(isValidTimeZone, { message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' })
  .describe('IANA time zone of dates, days, weeks (from Monday) and months (default UTC)');

export const subjectText = z.string().min(1, 'must not be empty').max(512);

/** scope, subject, tz and as_of: spread into each endpoint's strict query schema. */
export const subjectFields = {
  scope: z.enum(ANALYTICS_SCOPES).optional().describe('Dimension of the subject; omitted (with subject) = everything'),
  subject: subjectText.optional().describe('The subject of scope (a department, user, …); required with scope'),
  tz: timezone.optional(),
  as_of: timeText.optional().describe('Only records before this instant count (default now; at most 60 s ahead of the service clock); a date is local midnight in tz'),
};

/** The subject fields plus the window: from (inclusive) and to (exclusive, at most as_of). */
export const windowFields = {
  ...subjectFields,
  from: timeText.optional().describe('Start (inclusive); a YYYY-MM-DD date is local midnight in tz'),
  to: timeText.optional().describe('End (exclusive; at most as_of); a YYYY-MM-DD date is local midnight in tz'),
};

export interface CommonQuery {
  scope?: string;
  subject?: string;
  tz?: string;
  as_of?: string;
  from?: string;
  to?: string;
}

export interface CommonParams {
  tz: string;
  asOfMs: number;
  /** Set with subject, or alone where the endpoint reads scope as a grouping. */
  scope?: AnalyticsScope;
  subject?: string;
  /** As given (resolved in tz); `to` is not yet clamped to as_of. */
  fromMs?: number;
  toMs?: number;
}

export interface CommonOptions {
  /**
   * `pair` (default): scope and subject go together, neither = everything.
   * `grouping`: scope alone groups by that dimension (quota-suggestions); subject still needs a scope.
   */
  scope?: 'pair' | 'grouping';
}

/** Resolves the common parameters at `nowMs`, or throws one 400 listing every bad one. */
export function parseCommon(q: CommonQuery, nowMs: number, options: CommonOptions = {}): CommonParams {
  const details: ErrorDetail[] = [];
  // The schema has checked the zone; a caller without one still gets the 400.
  const tz = q.tz ?? 'UTC';
  if (!isValidTimeZone(tz)) throw queryError([{ path: 'tz', message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' }]);
  if (q.subject !== undefined && q.scope === undefined) details.push({ path: 'scope', message: 'is required with subject (e.g. scope=department&subject=research)' });
  if (q.scope !== undefined && q.subject === undefined && options.scope !== 'grouping') details.push({ path: 'subject', message: `is required with scope (e.g. scope=${q.scope}&subject=…)` });
  const at = (name: 'as_of' | 'from' | 'to'): number | undefined => {
    const s = q[name];
    if (s === undefined) return undefined;
    const ms = instantIn(s, tz);
    if (ms === undefined) details.push({ path: name, message: 'must be an RFC 3339 date-time (e.g. 2026-03-01T09:00:00Z) or a YYYY-MM-DD date (local midnight in tz)' });
    return ms;
  };
  const asOf = at('as_of');
  if (asOf !== undefined && asOf > nowMs + AS_OF_SKEW_MS) {
    details.push({ path: 'as_of', message: `must not be in the future (${new Date(asOf).toISOString()} is after now, ${new Date(nowMs).toISOString()}, by more than ${AS_OF_SKEW_MS / 1000} s)` });
  }
  const from = at('from');
  const to = at('to');
  const asOfMs = asOf ?? nowMs;
  if (from !== undefined && to !== undefined && from >= to) details.push({ path: 'from', message: 'must be before to' });
  else if (from !== undefined && from > asOfMs) details.push({ path: 'from', message: 'must not be after as_of (only records before as_of count)' });
  if (details.length > 0) throw queryError(details);
  return {
    tz, asOfMs,
    ...(q.scope !== undefined ? { scope: q.scope as AnalyticsScope } : {}),
    ...(q.subject !== undefined ? { subject: q.subject } : {}),
    ...(from !== undefined ? { fromMs: from } : {}),
    ...(to !== undefined ? { toMs: to } : {}),
  };
}

/** Where a window starts when `from` is absent. */
export type DefaultPeriod = 'month_to_date' | 'last_30_days';

/** The window of a chargeback or recommendation answer: `to` clamped to as_of, `from` defaulted. */
export function parseWindow(q: CommonQuery, nowMs: number, defaults: DefaultPeriod): Window {
  const p = parseCommon(q, nowMs);
  const { asOfMs, tz } = p;
  let toMs = Math.min(p.toMs ?? asOfMs, asOfMs);
  const fromMs = p.fromMs ?? (defaults === 'month_to_date' ? windowStart('month', Math.max(asOfMs - 1, 0), tz) : toMs - 30 * 86_400_000);
  if (toMs < fromMs) toMs = fromMs;
  const w: Window = { fromMs, toMs, asOfMs, tz };
  if (p.scope !== undefined && p.subject !== undefined) {
    w.scope = p.scope;
    w.subject = p.subject;
  }
  return w;
}
