/**
 * The chargeback endpoints' answers (allocation, top, efficiency, ROI) from
 * the ledger, as wire objects: money as exact decimal strings `*_usd`.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { allocate, ruleAttributes, type AllocationAttribute, type AllocationRule, type Amounts, type SharedMethod, type SharedPool } from './allocation.js';
import { buildTree, reconcile, treeTotal, type AllocationRow } from './allocation-tree.js';
import { allocationLeaves, efficiencyGroups, featureCosts, successesBetween, topGroups, type EfficiencyGroupBy } from './chargeback-queries.js';
import { previousPeriod } from './comparison-period.js';
import { efficiencyTable } from './efficiency.js';
import type { AnalyticsScope, LedgerSlice, ReadQuery } from './ledger-sql.js';
import { featureValuePico, roiFigures, valueSegments, type FeatureValueVersion } from './roi.js';
import { topTable, type TopGroupBy, type TopMetric } from './top.js';

/** The period and filter every endpoint states back. */
export interface Window {
  fromMs: number;
  toMs: number;
  asOfMs: number;
  tz: string;
  scope?: AnalyticsScope;
  subject?: string;
}

function periodOf(w: Window): Record<string, unknown> {
  const out: Record<string, unknown> = { from: new Date(w.fromMs).toISOString(), to: new Date(w.toMs).toISOString(), tz: w.tz, as_of: new Date(w.asOfMs).toISOString() };
  if (w.scope !== undefined) {
    out.scope = w.scope;
    out.subject = w.subject;
  }
  return out;
}

function sliceOf(w: Window, withScope = true): LedgerSlice {
  const s: LedgerSlice = { fromMs: w.fromMs, toMs: w.toMs };
  if (withScope && w.scope !== undefined && w.subject !== undefined) {
    s.scope = w.scope;
    s.subject = w.subject;
  }
  return s;
}

function amounts(a: Amounts): { cost_usd: string; tokens: number; requests: number } {
  return { cost_usd: formatUsd(a.cost_pico), tokens: a.tokens, requests: a.requests };
}

/** The tree as flat rows, each parent before its children, with its `path` from the first level. */
function flatRows(rows: readonly AllocationRow[], parent: ReadonlyArray<string | null> = [], out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  for (const r of rows) {
    const path = [...parent, r.key];
    out.push({
      path, level: r.level, key: r.key,
      direct_usd: formatUsd(r.direct.cost_pico), shared_usd: formatUsd(r.shared.cost_pico), total_usd: formatUsd(r.total.cost_pico),
      requests: r.total.requests, tokens: r.total.tokens,
      direct: amounts(r.direct), shared: amounts(r.shared),
      shared_by_rule: Object.fromEntries([...r.sharedByRule].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, v]) => [k, formatUsd(v)])),
      unpriced_requests: r.unpriced,
    });
    if (r.children) flatRows(r.children, path, out);
  }
  return out;
}

/** Scopes that are receiving units: their charge includes their share of the org's shared spend. */
const UNIT_SCOPES = new Set<AnalyticsScope>(['department', 'project']);

/** The ledger's own exact totals of a slice (the reconciliation's "ledger total"), computed apart from the allocation's GROUP BY. */
export type LedgerTotals = (slice: LedgerSlice) => Promise<Amounts & { unpriced: number }>;

export interface AllocationOptions {
  levels: readonly AllocationAttribute[];
  method: SharedMethod;
  rules: readonly AllocationRule[];
  ledgerTotals: LedgerTotals;
  /** More attribute = value conditions on the records (a report's filters). */
  filters?: Readonly<Record<string, string>>;
}

export interface AllocationComputed {
  /** The rows shown (a unit scope: only that unit's). */
  rows: AllocationRow[];
  pools: SharedPool[];
  reconciliation: Record<string, unknown>;
}

/** The allocation of a window, before its wire form (the report source reads it too). */
export async function computeAllocation(q: ReadQuery, w: Window, o: AllocationOptions): Promise<AllocationComputed> {
  // A department or project is charged its share of its org's shared spend: allocate over the whole ledger, then show the unit.
  const unit = w.scope !== undefined && UNIT_SCOPES.has(w.scope) ? (w.scope as 'department' | 'project') : undefined;
  const slice = sliceOf(w, unit === undefined);
  if (o.filters) slice.filters = o.filters;
  const attributes = new Set<AllocationAttribute>([...ruleAttributes(o.rules), ...o.levels]);
  if (unit) attributes.add(unit);
  const ordered = (['org', 'department', 'project', 'feature', 'investigation', 'user', 'service', 'provider', 'model'] as const).filter((a) => attributes.has(a));
  const [ledger, leaves] = await Promise.all([o.ledgerTotals(slice), allocationLeaves(q, slice, ordered)]);
  const { leaves: allocated, pools } = allocate(leaves, o.rules, o.method);
  const rows = allocated.length === 0 ? [] : buildTree(allocated, o.levels);
  const reconciliation: Record<string, unknown> = { ...reconcile(ledger, rows, pools) };
  let shown = rows;
  if (unit) {
    const mine = allocated.filter((l) => l.attrs[unit] === w.subject);
    shown = mine.length === 0 ? [] : buildTree(mine, o.levels);
    reconciliation.shown_total_usd = formatUsd(treeTotal(shown).cost_pico);
    reconciliation.note = `the allocation covers the whole ledger of the period, so that ${unit} "${w.subject}" receives its share of shared spend; rows show only it`;
  }
  return { rows: shown, pools, reconciliation };
}

export async function allocationReport(q: ReadQuery, w: Window, o: AllocationOptions): Promise<Record<string, unknown>> {
  const { rows, pools, reconciliation } = await computeAllocation(q, w, o);
  return {
    period: periodOf(w),
    from: new Date(w.fromMs).toISOString(),
    to: new Date(w.toMs).toISOString(),
    levels: o.levels,
    shared: o.method,
    rules: o.rules.map((r) => r.id),
    rows: flatRows(rows),
    shared_pools: pools.map((p) => {
      const out: Record<string, unknown> = {
        rule_id: p.rule_id, org: p.org, method: p.method, applied_method: p.applied_method, allocated: p.allocated, ...amounts(p),
        receivers: p.receivers.map((r) => ({ department: r.department, weight: r.weight, ...amounts(r) })),
      };
      if (p.note !== undefined) out.note = p.note;
      return out;
    }),
    reconciliation,
  };
}

export interface TopOptions {
  groupBy: TopGroupBy;
  metric: TopMetric;
  limit: number;
}

export async function topReport(q: ReadQuery, w: Window, o: TopOptions): Promise<Record<string, unknown>> {
  const prev = previousPeriod(w.fromMs, w.toMs, w.tz);
  const department = o.groupBy === 'department';
  const current = await topGroups(q, sliceOf(w), o.groupBy, department);
  const previous = await topGroups(q, { ...sliceOf(w), fromMs: prev.fromMs, toMs: prev.toMs }, o.groupBy, department);
  const table = topTable(current, previous, o.metric, o.limit, department);
  return {
    period: periodOf(w),
    previous_period: { from: new Date(prev.fromMs).toISOString(), to: new Date(prev.toMs).toISOString(), basis: prev.basis },
    group_by: o.groupBy,
    metric: o.metric,
    ...table,
  };
}

export async function efficiencyReport(q: ReadQuery, w: Window, groupBy: EfficiencyGroupBy): Promise<Record<string, unknown>> {
  const groups = await efficiencyGroups(q, sliceOf(w), groupBy);
  groups.sort((a, b) => (a.cost_pico === b.cost_pico ? (String(a.key) < String(b.key) ? -1 : 1) : a.cost_pico > b.cost_pico ? -1 : 1));
  const { rows, median } = efficiencyTable(groups);
  return { period: periodOf(w), group_by: groupBy, org_median: median, rows };
}

/** A feature's stored value (entity family `feature`). */
export interface FeatureValueInput {
  feature: string;
  versions: readonly FeatureValueVersion[];
}

export async function roiReport(q: ReadQuery, w: Window, values: readonly FeatureValueInput[]): Promise<Record<string, unknown>> {
  const slice = sliceOf(w);
  const costs = await featureCosts(q, slice);
  const valued = new Map(values.filter((v) => v.versions.length > 0).map((v) => [v.feature, v]));
  // Successful requests per stretch between every version change inside the period (one query for all features).
  const breakpoints = [...new Set(values.flatMap((v) => v.versions.map((x) => x.effective_ms)))].filter((b) => b > w.fromMs && b < w.toMs).sort((a, b) => a - b);
  const perSuccess = [...valued.values()].filter((v) => v.versions.some((x) => x.usd_per_success !== undefined)).map((v) => v.feature);
  const successes = await successesBetween(q, slice, perSuccess, breakpoints);
  const bounds = [w.fromMs, ...breakpoints, w.toMs];
  const byFeature = new Map(costs.map((c) => [c.feature, c]));
  const features: Array<Record<string, unknown>> = [];
  let totalValue = 0n;
  let totalCost = 0n;
  for (const v of [...valued.values()].sort((a, b) => (a.feature < b.feature ? -1 : 1))) {
    const segments = valueSegments(v.versions, w.fromMs, w.toMs);
    const counts = successes.get(v.feature) ?? [];
    // Successes of each segment = Σ of the global stretches it spans.
    const segCounts = segments.map((s) => {
      let n = 0;
      for (let i = 0; i < bounds.length - 1; i++) if (bounds[i]! >= s.fromMs && bounds[i + 1]! <= s.toMs) n += counts[i] ?? 0;
      return n;
    });
    const value = featureValuePico(segments, segCounts, w.tz);
    const c = byFeature.get(v.feature);
    const cost = c?.cost_pico ?? 0n;
    totalValue += value;
    totalCost += cost;
    const basis = new Set(segments.flatMap((s) => [s.version.usd_per_success !== undefined ? 'per_success' : '', s.version.usd_per_month !== undefined ? 'per_month' : ''].filter(Boolean)));
    features.push({
      feature: v.feature, ...roiFigures(value, cost), requests: c?.requests ?? 0, successful_requests: c?.ok ?? 0, unpriced_requests: c?.unpriced ?? 0,
      value_basis: [...basis].sort(), valued_from: segments[0] ? new Date(segments[0].fromMs).toISOString() : null,
    });
  }
  const withoutValue = costs.filter((c) => !valued.has(c.feature)).sort((a, b) => (a.cost_pico === b.cost_pico ? (a.feature < b.feature ? -1 : 1) : a.cost_pico > b.cost_pico ? -1 : 1))
    .map((c) => ({ feature: c.feature, cost_usd: formatUsd(c.cost_pico), requests: c.requests, successful_requests: c.ok }));
  return { period: periodOf(w), features, features_without_value: withoutValue, totals: roiFigures(totalValue, totalCost) };
}
