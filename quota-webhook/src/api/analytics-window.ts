/**
 * The analytics conventions shared by the chargeback and recommendation
 * endpoints: `scope` + `subject`, `tz` (IANA, default UTC), `as_of` (only
 * records before it count; default now) and `from`/`to` (a date is local
 * midnight in `tz`; `to` is exclusive and never after `as_of`). Bad values
 * are 400s naming the parameter.
 */
import { z } from 'zod';
import type { Window } from '../analytics/chargeback-service.js';
import { ANALYTICS_SCOPES } from '../analytics/ledger-sql.js';
import { ApiError, type ErrorDetail } from '../errors.js';
import { isValidTimeZone, offsetAt, windowStart } from '../quotas/periods.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

const timeText = z.string().refine((s) => (DATE_ONLY.test(s) || RFC3339.test(s)) && !Number.isNaN(Date.parse(DATE_ONLY.test(s) ? `${s}T00:00:00Z` : s)), {
  message: 'must be an RFC 3339 date-time or a YYYY-MM-DD date (local midnight in tz)',
});

/** The query fields of the window (spread into each endpoint's strict schema). */
export const windowFields = {
  from: timeText.optional().describe('Start (inclusive); a YYYY-MM-DD date is local midnight in tz'),
  to: timeText.optional().describe('End (exclusive); at most as_of'),
  as_of: timeText.optional().describe('Only records before this instant count (default: now)'),
  tz: z.string().min(1).max(64).optional().describe('IANA time zone of dates, months and hours (default UTC)'),
  scope: z.enum(ANALYTICS_SCOPES).optional().describe('Restrict to one subject of this scope'),
  subject: z.string().min(1, 'must not be empty').max(512).optional().describe('The subject of scope'),
};

export type WindowQuery = { [K in keyof typeof windowFields]?: string };

/** Epoch ms of a date-time, or of local midnight in `tz` for a date. */
function instantIn(s: string, tz: string): number {
  const m = DATE_ONLY.exec(s);
  if (!m) return Date.parse(s);
  const noonUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12);
  return windowStart('day', noonUtc - offsetAt(noonUtc, tz), tz);
}

export type DefaultPeriod = 'month_to_date' | 'last_30_days';

/** Reads and checks the window; `defaults` decides `from` when it is absent. */
export function parseWindow(q: WindowQuery, nowMs: number, defaults: DefaultPeriod): Window {
  const details: ErrorDetail[] = [];
  const tz = q.tz ?? 'UTC';
  if (!isValidTimeZone(tz)) details.push({ path: 'tz', message: `"${tz}" is not an IANA time zone (e.g. UTC, Europe/Paris)` });
  if ((q.scope === undefined) !== (q.subject === undefined)) {
    details.push(q.scope === undefined ? { path: 'scope', message: 'is required with subject' } : { path: 'subject', message: 'is required with scope' });
  }
  if (details.length > 0) throw bad(details);
  const asOfMs = q.as_of === undefined ? nowMs : instantIn(q.as_of, tz);
  let toMs = q.to === undefined ? asOfMs : Math.min(instantIn(q.to, tz), asOfMs);
  const fromMs = q.from !== undefined
    ? instantIn(q.from, tz)
    : defaults === 'month_to_date' ? windowStart('month', Math.max(asOfMs - 1, 0), tz) : toMs - 30 * 86_400_000;
  if (q.from !== undefined && q.to !== undefined && instantIn(q.from, tz) >= instantIn(q.to, tz)) details.push({ path: 'from', message: 'must be before to' });
  else if (fromMs > asOfMs) details.push({ path: 'from', message: 'must not be after as_of (only records before as_of count)' });
  if (details.length > 0) throw bad(details);
  if (toMs < fromMs) toMs = fromMs;
  const w: Window = { fromMs, toMs, asOfMs, tz };
  if (q.scope !== undefined && q.subject !== undefined) {
    w.scope = q.scope as Window['scope'];
    w.subject = q.subject;
  }
  return w;
}

export function bad(details: ErrorDetail[]): ApiError {
  const first = details[0]!;
  return new ApiError(400, 'invalid_request', `invalid query: ${first.path}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`, details);
}

