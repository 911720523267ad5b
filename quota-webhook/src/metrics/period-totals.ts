/**
 * The ledger's exact period totals as `/metrics` exports them: per (period
 * window, time zone) × scope × subject, summed over orgs, from the running
 * totals the quotas read (no scan of the records). Every scope's subjects sum
 * exactly to the scope `all` (subject `*`): calls without a subject of the
 * scope count under `(none)`, and subjects beyond the cardinality cap under
 * `(other)`.
 */
import { QUOTA_PERIODS, type QuotaPeriod, type QuotaScope } from '@tokenmeter/instrumentation/protocol';
import { nextWindowStart, windowStart } from '../quotas/periods.js';
import type { TotalRow } from '../store/types.js';
import type { TotalsSource } from './scrape-totals.js';

/** Scopes of the period gauges: the quota scopes and `all` (subject `*`, every call). */
export type PeriodScope = 'all' | QuotaScope;

/** Subject of the calls that name no subject of a scope (e.g. no department). */
export const NONE_SUBJECT = '(none)';
/** Subject of the subjects beyond the cap, summed. */
export const OTHER_SUBJECT = '(other)';
/** The one subject of scope `all`. */
export const ALL_SUBJECT = '*';

/**
 * The periods exported per scope. Users (the one scope with thousands of
 * subjects) get only today and month-to-date; the others every calendar period.
 */
export const PERIODS_BY_SCOPE: Readonly<Record<PeriodScope, readonly QuotaPeriod[]>> = {
  all: QUOTA_PERIODS,
  org: QUOTA_PERIODS,
  department: QUOTA_PERIODS,
  feature: QUOTA_PERIODS,
  provider: QUOTA_PERIODS,
  user: ['day', 'month'],
};

/** Scopes in the order they are exported. */
export const PERIOD_SCOPES: readonly PeriodScope[] = ['all', 'org', 'department', 'user', 'feature', 'provider'];

/** Exact sums of one subject in one window. */
export interface SubjectTotal {
  subject: string;
  requests: number;
  tokens: bigint;
  cost_pico: bigint;
}

/** One (period, zone) window: its bounds and, per scope exported for the period, the subjects' totals. */
export interface PeriodWindow {
  period: QuotaPeriod;
  tz: string;
  window_start: number;
  /** Start of the next window (exclusive end). */
  next_start: number;
  scopes: Map<PeriodScope, SubjectTotal[]>;
}

function add(into: SubjectTotal, r: { requests: number; tokens: bigint; cost_pico: bigint }): void {
  into.requests += r.requests;
  into.tokens += r.tokens;
  into.cost_pico += r.cost_pico;
}

const empty = (subject: string): SubjectTotal => ({ subject, requests: 0, tokens: 0n, cost_pico: 0n });

/**
 * The subjects of one scope: summed over orgs, `(none)` for calls without
 * one (when there are any), and at most `maxSubjects` named ones, the
 * costliest, the rest summed into `(other)`.
 */
function scopeTotals(rows: readonly TotalRow[], all: SubjectTotal, maxSubjects: number, withNone: boolean): SubjectTotal[] {
  const bySubject = new Map<string, SubjectTotal>();
  const named = empty('');
  for (const r of rows) {
    let t = bySubject.get(r.subject);
    if (t === undefined) bySubject.set(r.subject, (t = empty(r.subject)));
    add(t, r);
    add(named, r);
  }
  let out = [...bySubject.values()];
  if (out.length > maxSubjects) {
    out.sort((a, b) => (a.cost_pico === b.cost_pico ? b.requests - a.requests : a.cost_pico > b.cost_pico ? -1 : 1));
    const other = empty(OTHER_SUBJECT);
    for (const t of out.slice(maxSubjects)) add(other, t);
    out = [...out.slice(0, maxSubjects), other];
  }
  if (withNone && all.requests > named.requests) {
    out.push({ subject: NONE_SUBJECT, requests: all.requests - named.requests, tokens: all.tokens - named.tokens, cost_pico: all.cost_pico - named.cost_pico });
  }
  return out;
}

/** The window totals of `rows` (one window's rows, any scopes) for the scopes exported for `period`. */
function windowScopes(period: QuotaPeriod, rows: readonly TotalRow[], maxSubjects: number): Map<PeriodScope, SubjectTotal[]> {
  const byScope = new Map<QuotaScope, TotalRow[]>();
  for (const r of rows) {
    let list = byScope.get(r.scope);
    if (list === undefined) byScope.set(r.scope, (list = []));
    list.push(r);
  }
  // Every call has a provider: the provider rows sum to every call of the window.
  const all = empty(ALL_SUBJECT);
  for (const r of byScope.get('provider') ?? []) add(all, r);
  const scopes = new Map<PeriodScope, SubjectTotal[]>();
  for (const scope of PERIOD_SCOPES) {
    if (!PERIODS_BY_SCOPE[scope].includes(period)) continue;
    if (scope === 'all') scopes.set('all', [all]);
    else scopes.set(scope, scopeTotals(byScope.get(scope) ?? [], all, maxSubjects, scope !== 'provider'));
  }
  return scopes;
}

/**
 * The current windows of every period in each zone at `nowMs`, with their
 * totals: the periods with a user scope in one read of every scope, the others
 * scope by scope (their windows hold users too, which are not exported).
 */
export async function readPeriodTotals(store: TotalsSource, tzs: readonly string[], nowMs: number, maxSubjects: number): Promise<PeriodWindow[]> {
  const windows: PeriodWindow[] = [];
  for (const tz of tzs) {
    for (const period of QUOTA_PERIODS) {
      windows.push({ period, tz, window_start: windowStart(period, nowMs, tz), next_start: nextWindowStart(period, nowMs, tz), scopes: new Map() });
    }
  }
  const withUsers = windows.filter((w) => PERIODS_BY_SCOPE.user.includes(w.period));
  const without = windows.filter((w) => !PERIODS_BY_SCOPE.user.includes(w.period));
  const key = (w: { period: string; tz: string; window_start: number }): string => `${w.period}\u0000${w.tz}\u0000${w.window_start}`;
  const rowsOf = new Map<string, TotalRow[]>(windows.map((w) => [key(w), []]));
  const scopesWithoutUsers = PERIOD_SCOPES.filter((s): s is QuotaScope => s !== 'all' && s !== 'user');
  const [wide, ...narrow] = await Promise.all([
    store.windowsTotals(withUsers),
    ...without.flatMap((w) => scopesWithoutUsers.map((scope) => store.windowTotals(w.period, w.tz, w.window_start, scope))),
  ]);
  for (const r of [wide, ...narrow].flat()) rowsOf.get(key(r))?.push(r);
  for (const w of windows) w.scopes = windowScopes(w.period, rowsOf.get(key(w)) ?? [], maxSubjects);
  return windows;
}
