/**
 * Top consumers: groups ranked by cost, tokens or requests, each with its
 * share of the total and its change against the previous period. Grouped by
 * department it is also the department comparison (cost per request, active
 * users, cost per active user, change against the previous period).
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';

export const TOP_GROUPS = ['user', 'feature', 'department', 'model', 'provider', 'investigation', 'project', 'org'] as const;
export type TopGroupBy = (typeof TOP_GROUPS)[number];
export const TOP_METRICS = ['cost', 'tokens', 'requests'] as const;
export type TopMetric = (typeof TOP_METRICS)[number];

export interface TopGroup {
  key: string | null;
  requests: number;
  tokens: number;
  cost_pico: bigint;
  /** Distinct users (department comparison). */
  active_users?: number;
}

export interface TopAmounts {
  cost_usd: string;
  tokens: number;
  requests: number;
}

export interface TopRow extends TopAmounts {
  rank: number;
  key: string | null;
  /** Share of the period's total of the ranking metric (0–1, 6 decimals). */
  share: number;
  previous: TopAmounts;
  /** Relative change of the ranking metric against the previous period (0.1 = +10 %); null when the previous value was 0. */
  change: number | null;
  /** Absolute change of the ranking metric (a USD string for cost). */
  change_absolute: string | number;
  cost_per_request_usd?: string | null;
  active_users?: number;
  cost_per_active_user_usd?: string | null;
}

function metricOf(g: TopGroup | undefined, metric: TopMetric): bigint {
  if (!g) return 0n;
  return metric === 'cost' ? g.cost_pico : BigInt(metric === 'tokens' ? g.tokens : g.requests);
}

/** a / b to 6 decimals (exact integer division first), or null when b is 0. */
export function fraction(a: bigint, b: bigint): number | null {
  if (b === 0n) return null;
  const scaled = (a * 2_000_000n + b) / (b * 2n);
  return Number(scaled) / 1_000_000;
}

function perUnit(cost: bigint, n: number): string | null {
  if (n === 0) return null;
  const d = BigInt(n);
  return formatUsd((cost * 2n + d) / (d * 2n));
}

function amounts(g: TopGroup | undefined): TopAmounts {
  return { cost_usd: formatUsd(g?.cost_pico ?? 0n), tokens: g?.tokens ?? 0, requests: g?.requests ?? 0 };
}

export interface TopTable {
  rows: TopRow[];
  total: TopAmounts;
  previous_total: TopAmounts;
  /** Groups beyond `limit`, summed. */
  others: TopAmounts & { groups: number };
}

export function topTable(current: readonly TopGroup[], previous: readonly TopGroup[], metric: TopMetric, limit: number, departmentComparison = false): TopTable {
  const prev = new Map(previous.map((g) => [g.key, g]));
  const sorted = [...current].sort((a, b) => {
    const va = metricOf(a, metric);
    const vb = metricOf(b, metric);
    if (va !== vb) return va > vb ? -1 : 1;
    if (a.key === b.key) return 0;
    if (a.key === null) return 1;
    if (b.key === null) return -1;
    return a.key < b.key ? -1 : 1;
  });
  const sum = (gs: readonly TopGroup[]): TopGroup => {
    const t: TopGroup = { key: null, requests: 0, tokens: 0, cost_pico: 0n };
    for (const g of gs) {
      t.requests += g.requests;
      t.tokens += g.tokens;
      t.cost_pico += g.cost_pico;
    }
    return t;
  };
  const total = sum(current);
  const totalMetric = metricOf(total, metric);
  const rows = sorted.slice(0, limit).map((g, i): TopRow => {
    const p = prev.get(g.key);
    const now = metricOf(g, metric);
    const before = metricOf(p, metric);
    const row: TopRow = {
      rank: i + 1,
      key: g.key,
      ...amounts(g),
      share: fraction(now, totalMetric) ?? 0,
      previous: amounts(p),
      change: fraction(now - before, before),
      change_absolute: metric === 'cost' ? formatUsd(now - before) : Number(now - before),
    };
    if (departmentComparison) {
      row.cost_per_request_usd = perUnit(g.cost_pico, g.requests);
      row.active_users = g.active_users ?? 0;
      row.cost_per_active_user_usd = perUnit(g.cost_pico, g.active_users ?? 0);
    }
    return row;
  });
  const rest = sorted.slice(limit);
  return { rows, total: amounts(total), previous_total: amounts(sum(previous)), others: { ...amounts(sum(rest)), groups: rest.length } };
}
