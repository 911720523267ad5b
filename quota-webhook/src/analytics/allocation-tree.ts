/**
 * The chargeback table: allocated leaves grouped level by level (for example
 * org → department → feature → investigation). A row's amounts are the exact
 * sums of its children's, so every level reconciles with the one above and
 * the top level with the ledger.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { AllocatedLeaf, AllocationAttribute, Amounts, SharedPool } from './allocation.js';

export interface AllocationRow {
  level: AllocationAttribute;
  /** `null`: the rows carry no value of this attribute. */
  key: string | null;
  direct: Amounts;
  shared: Amounts;
  total: Amounts;
  /** Received shared cost per rule id. */
  sharedByRule: Map<string, bigint>;
  unpriced: number;
  children?: AllocationRow[];
}

function zero(): Amounts {
  return { cost_pico: 0n, tokens: 0, requests: 0 };
}

function add(a: Amounts, b: Amounts): void {
  a.cost_pico += b.cost_pico;
  a.tokens += b.tokens;
  a.requests += b.requests;
}

/** Larger total cost first, then key (absent last): a stable order. */
function byTotal(a: AllocationRow, b: AllocationRow): number {
  if (a.total.cost_pico !== b.total.cost_pico) return a.total.cost_pico > b.total.cost_pico ? -1 : 1;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

/** Groups `leaves` by `levels` in order; the last level's rows have no children. */
export function buildTree(leaves: readonly AllocatedLeaf[], levels: readonly AllocationAttribute[]): AllocationRow[] {
  if (levels.length === 0) throw new RangeError('levels must name at least one attribute');
  const [level, ...rest] = levels as [AllocationAttribute, ...AllocationAttribute[]];
  const groups = new Map<string | null, AllocatedLeaf[]>();
  for (const leaf of leaves) {
    const key = leaf.attrs[level] ?? null;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(leaf);
  }
  const rows: AllocationRow[] = [];
  for (const [key, members] of groups) {
    const row: AllocationRow = { level, key, direct: zero(), shared: zero(), total: zero(), sharedByRule: new Map(), unpriced: 0 };
    for (const m of members) {
      add(row.direct, m.direct);
      add(row.shared, m.shared);
      row.unpriced += m.unpriced;
      for (const [rule, cost] of m.sharedByRule) row.sharedByRule.set(rule, (row.sharedByRule.get(rule) ?? 0n) + cost);
    }
    add(row.total, row.direct);
    add(row.total, row.shared);
    if (rest.length > 0) row.children = buildTree(members, rest);
    rows.push(row);
  }
  return rows.sort(byTotal);
}

/** Sum of the top-level rows' totals. */
export function treeTotal(rows: readonly AllocationRow[]): Amounts & { direct_pico: bigint; shared_pico: bigint } {
  const total = zero();
  let direct = 0n;
  let shared = 0n;
  for (const r of rows) {
    add(total, r.total);
    direct += r.direct.cost_pico;
    shared += r.shared.cost_pico;
  }
  return { ...total, direct_pico: direct, shared_pico: shared };
}

export interface Reconciliation {
  ledger_total_usd: string;
  /** Σ of the top-level rows' totals. */
  allocated_total_usd: string;
  difference_usd: string;
  /** True when the rows sum to the ledger exactly (cost, tokens and requests). */
  reconciled: boolean;
  direct_usd: string;
  shared_distributed_usd: string;
  /** Shared spend that had no receiving department, left on its own rows (inside `direct_usd`). */
  shared_unallocated_usd: string;
  ledger_requests: number;
  rows_requests: number;
  ledger_tokens: number;
  rows_tokens: number;
  /** Records without a price (counted as 0 USD: their cost is unknown, not zero). */
  unpriced_requests: number;
}

/** States ledger total = Σ rows, computed independently (`ledger` comes from its own SUM over the same records). */
export function reconcile(ledger: Amounts & { unpriced: number }, rows: readonly AllocationRow[], pools: readonly SharedPool[]): Reconciliation {
  const t = treeTotal(rows);
  let unallocated = 0n;
  for (const p of pools) if (!p.allocated) unallocated += p.cost_pico;
  return {
    ledger_total_usd: formatUsd(ledger.cost_pico),
    allocated_total_usd: formatUsd(t.cost_pico),
    difference_usd: formatUsd(ledger.cost_pico - t.cost_pico),
    reconciled: ledger.cost_pico === t.cost_pico && ledger.tokens === t.tokens && ledger.requests === t.requests,
    direct_usd: formatUsd(t.direct_pico),
    shared_distributed_usd: formatUsd(t.shared_pico),
    shared_unallocated_usd: formatUsd(unallocated),
    ledger_requests: ledger.requests,
    rows_requests: t.requests,
    ledger_tokens: ledger.tokens,
    rows_tokens: t.tokens,
    unpriced_requests: ledger.unpriced,
  };
}
