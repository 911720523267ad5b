/**
 * Quota evaluation from the running totals: one store read per distinct
 * window (not per quota, not per record), so 10,000 quotas over a month cost
 * the same as over an hour.
 */
import { picoToUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import type { Store, TotalRow, TotalValues } from '../store/types.js';
import type { Quota } from './model.js';
import { nextWindowStart, windowStart } from './periods.js';

export interface WindowStatus {
  subject: string;
  limit: number;
  usage: number;
  utilization: number;
  /** Exact usage: pico-USD for cost, a count otherwise. */
  usage_exact: bigint;
  limit_exact: bigint;
  window_start: number;
  next_reset: number;
}

export interface QuotaStatus {
  quota: Quota;
  windows: WindowStatus[];
}

/** Exact limit: pico-USD for cost quotas, the integer count otherwise (rounded up); never 0 (a positive limit below one unit is one unit). */
export function exactLimit(quota: Quota, limit: number): bigint {
  const exact = quota.metric === 'cost' ? parseUsd(limit.toFixed(12)) : BigInt(Math.ceil(limit));
  return exact > 0n ? exact : 1n;
}

/** The limit that applies to `subject`: its override, else the quota's (own keys only: a user named "constructor" is no override). */
export function limitFor(quota: Quota, subject: string): number {
  const o = quota.overrides;
  return o !== undefined && Object.hasOwn(o, subject) ? o[subject]! : quota.limit;
}

function utilization(used: bigint, limitExact: bigint): number {
  // Truncated to 6 decimals, never rounded up: 0.9999999 must not read as 1 (the blocking threshold).
  return Number((used * 1_000_000n) / limitExact) / 1_000_000;
}

function valueOf(quota: Quota, t: TotalValues): bigint {
  if (quota.metric === 'cost') return t.cost_pico;
  return quota.metric === 'tokens' ? t.tokens : BigInt(t.requests);
}

function display(quota: Quota, v: bigint): number {
  return quota.metric === 'cost' ? picoToUsd(v) : Number(v);
}

/** A window being evaluated and its totals by scope → subject → rows (one per org). */
interface EvalWindow {
  period: QuotaPeriod;
  tz: string;
  window_start: number;
  next: number;
  scopes: Map<string, Map<string, TotalRow[]>>;
}

/** Status of every quota's current window(s) at `nowMs`. */
export async function evaluateQuotas(store: Pick<Store, 'windowsTotals'>, quotas: readonly Quota[], nowMs: number): Promise<QuotaStatus[]> {
  // One calendar computation per (period, zone), not per quota: 10,000 quotas share a handful of windows,
  // and each window carries its totals indexed by scope → subject → rows (one per org).
  const windows = new Map<string, EvalWindow>();
  let lastWindow: EvalWindow | undefined;
  const windowOf = (q: Quota): EvalWindow => {
    // Consecutive quotas mostly share period and zone: no key to build then.
    if (lastWindow && q.period === lastWindow.period && q.timezone === lastWindow.tz) return lastWindow;
    const k = `${q.period}\u0000${q.timezone}`;
    let w = windows.get(k);
    if (!w) {
      w = {
        period: q.period, tz: q.timezone, window_start: windowStart(q.period, nowMs, q.timezone),
        next: nextWindowStart(q.period, nowMs, q.timezone), scopes: new Map(),
      };
      windows.set(k, w);
    }
    lastWindow = w;
    return w;
  };
  for (const q of quotas) windowOf(q);
  const rows = await store.windowsTotals([...windows.values()]);
  let last: TotalRow | undefined;
  let group: Map<string, TotalRow[]> | undefined;
  for (const r of rows) {
    // Rows come grouped by window and scope: the lookups run once per group, not per row.
    if (!last || r.scope !== last.scope || r.window_start !== last.window_start || r.tz !== last.tz || r.period !== last.period) {
      const w = windows.get(`${r.period}\u0000${r.tz}`);
      group = w?.scopes.get(r.scope);
      if (w && !group) w.scopes.set(r.scope, (group = new Map()));
    }
    last = r;
    if (!group) continue;
    const list = group.get(r.subject);
    if (list) list.push(r);
    else group.set(r.subject, [r]);
  }
  // Exact limits parsed once per distinct value: 10,000 windows mostly share a few limits.
  const exactLimits = { cost: new Map<number, bigint>(), count: new Map<number, bigint>() };
  const exactOf = (q: Quota, limit: number): bigint => {
    const cache = q.metric === 'cost' ? exactLimits.cost : exactLimits.count;
    let exact = cache.get(limit);
    if (exact === undefined) cache.set(limit, (exact = exactLimit(q, limit)));
    return exact;
  };
  const out: QuotaStatus[] = [];
  for (const q of quotas) {
    const { window_start: start, next, scopes } = windowOf(q);
    const bySubject = scopes.get(q.scope);
    const subjects = q.subject === '*' ? [...(bySubject?.keys() ?? [])].sort() : [q.subject];
    const result: WindowStatus[] = [];
    for (const subject of subjects) {
      let used = 0n;
      for (const r of bySubject?.get(subject) ?? []) {
        if (q.org !== undefined && r.org !== q.org) continue;
        used += valueOf(q, r);
      }
      if (q.subject === '*' && q.org !== undefined && used === 0n && !(bySubject?.get(subject) ?? []).some((r) => r.org === q.org)) continue;
      const limit = limitFor(q, subject);
      const limitExact = exactOf(q, limit);
      const usage = display(q, used);
      result.push({
        subject, limit, usage, utilization: utilization(used, limitExact),
        usage_exact: used, limit_exact: limitExact, window_start: start, next_reset: next,
      });
    }
    out.push({ quota: q, windows: result });
  }
  return out;
}

/** Exact usage of one subject of a quota in the window containing `atMs`. */
export async function subjectUsage(store: Store, q: Quota, subject: string, atMs: number): Promise<WindowStatus> {
  const start = windowStart(q.period, atMs, q.timezone);
  const rows = await store.windowTotals(q.period, q.timezone, start, q.scope);
  let used = 0n;
  for (const r of rows) {
    if (r.subject !== subject) continue;
    if (q.org !== undefined && r.org !== q.org) continue;
    used += valueOf(q, r);
  }
  const limit = limitFor(q, subject);
  const limitExact = exactLimit(q, limit);
  return {
    subject, limit, usage: display(q, used), utilization: utilization(used, limitExact),
    usage_exact: used, limit_exact: limitExact, window_start: start, next_reset: nextWindowStart(q.period, atMs, q.timezone),
  };
}
