/**
 * Quota evaluation from the running totals: one store read per distinct
 * window (not per quota, not per record), so 10,000 quotas over a month cost
 * the same as over an hour.
 */
import { picoToUsd, parseUsd } from '@tokenmeter/instrumentation/pricing';
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import type { Store, TotalRow } from '../store/types.js';
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

/** Exact limit: pico-USD for cost quotas, the integer count otherwise (rounded up). */
export function exactLimit(quota: Quota, limit: number): bigint {
  if (quota.metric === 'cost') return parseUsd(limit.toFixed(12));
  return BigInt(Math.ceil(limit));
}

function valueOf(quota: Quota, t: { requests: number; tokens: number; cost_pico: bigint }): bigint {
  if (quota.metric === 'cost') return t.cost_pico;
  return BigInt(quota.metric === 'tokens' ? t.tokens : t.requests);
}

function display(quota: Quota, v: bigint): number {
  return quota.metric === 'cost' ? picoToUsd(v) : Number(v);
}

function windowKey(period: QuotaPeriod, tz: string, start: number): string {
  return `${period}\u0000${tz}\u0000${start}`;
}

/** Status of every quota's current window(s) at `nowMs`. */
export async function evaluateQuotas(store: Store, quotas: readonly Quota[], nowMs: number): Promise<QuotaStatus[]> {
  const windows = new Map<string, { period: QuotaPeriod; tz: string; window_start: number }>();
  const starts = new Map<string, number>();
  for (const q of quotas) {
    const start = windowStart(q.period, nowMs, q.timezone);
    starts.set(q.id, start);
    windows.set(windowKey(q.period, q.timezone, start), { period: q.period, tz: q.timezone, window_start: start });
  }
  const rows = await store.windowsTotals([...windows.values()]);
  // window → scope → subject → rows (one per org)
  const index = new Map<string, Map<string, TotalRow[]>>();
  for (const r of rows) {
    const k = `${windowKey(r.period, r.tz, r.window_start)}\u0000${r.scope}`;
    let bySubject = index.get(k);
    if (!bySubject) index.set(k, (bySubject = new Map()));
    const list = bySubject.get(r.subject);
    if (list) list.push(r);
    else bySubject.set(r.subject, [r]);
  }
  const out: QuotaStatus[] = [];
  for (const q of quotas) {
    const start = starts.get(q.id)!;
    const next = nextWindowStart(q.period, nowMs, q.timezone);
    const bySubject = index.get(`${windowKey(q.period, q.timezone, start)}\u0000${q.scope}`);
    const subjects = q.subject === '*' ? [...(bySubject?.keys() ?? [])].sort() : [q.subject];
    const result: WindowStatus[] = [];
    for (const subject of subjects) {
      let used = 0n;
      for (const r of bySubject?.get(subject) ?? []) {
        if (q.org !== undefined && r.org !== q.org) continue;
        used += valueOf(q, r);
      }
      if (q.subject === '*' && q.org !== undefined && used === 0n && !(bySubject?.get(subject) ?? []).some((r) => r.org === q.org)) continue;
      const limit = q.overrides?.[subject] ?? q.limit;
      const limitExact = exactLimit(q, limit);
      const usage = display(q, used);
      result.push({
        subject, limit, usage, utilization: limitExact === 0n ? 0 : Number((used * 1_000_000n) / limitExact) / 1_000_000,
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
  const limit = q.overrides?.[subject] ?? q.limit;
  const limitExact = exactLimit(q, limit);
  return {
    subject, limit, usage: display(q, used), utilization: Number((used * 1_000_000n) / limitExact) / 1_000_000,
    usage_exact: used, limit_exact: limitExact, window_start: start, next_reset: nextWindowStart(q.period, atMs, q.timezone),
  };
}
