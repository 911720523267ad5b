/**
 * Chargeback: spend is either direct (it carries a department) or shared — it
 * matches an admin's allocation rule (a platform feature, a whole service) or
 * carries no department at all (unattributed). Each shared pool, per org, is
 * split among the receiving departments evenly, in proportion to their direct
 * spend, or by the rule's stored weights, and each department's share is
 * passed down to its own rows in proportion to their direct spend. Every
 * split is a largest-remainder split of integers (pico-USD, tokens,
 * requests), so the rows sum to the ledger exactly at every level.
 */
import { distributeOrEven, weightUnits } from './largest-remainder.js';

/** Attributes a ledger row is grouped and matched by. */
export const ALLOCATION_ATTRIBUTES = ['org', 'department', 'project', 'feature', 'investigation', 'user', 'service', 'provider', 'model'] as const;
export type AllocationAttribute = (typeof ALLOCATION_ATTRIBUTES)[number];

/** How shared pools are split among departments. */
export const SHARED_METHODS = ['even', 'proportional', 'weights'] as const;
export type SharedMethod = (typeof SHARED_METHODS)[number];

/** Id of the built-in pool of spend that carries no department and matches no stored rule. */
export const UNATTRIBUTED_RULE = 'unattributed';

/** A stored allocation rule (entity family `allocation-rule`). */
export interface AllocationRule {
  id: string;
  description?: string;
  /** Which spend is shared: every given attribute must be equal; `null` = the record carries no such attribute. */
  match: Partial<Record<AllocationAttribute, string | null>>;
  /** Departments that receive the pool; absent = every department with direct spend in the pool's org. */
  receivers?: string[];
  /** Fixed weights per department, used when the method is `weights` (relative; need not sum to 100). */
  weights?: Record<string, number>;
}

export interface Amounts {
  cost_pico: bigint;
  tokens: number;
  requests: number;
}

/** One group of ledger rows with equal attributes. */
export interface AllocationLeaf extends Amounts {
  attrs: Partial<Record<AllocationAttribute, string | null>>;
  /** Rows of the group without a price (cost unknown, counted as 0). */
  unpriced: number;
}

/** A leaf after allocation: its own (direct) amounts and the shares it received, per rule. */
export interface AllocatedLeaf {
  attrs: Partial<Record<AllocationAttribute, string | null>>;
  direct: Amounts;
  shared: Amounts;
  /** Received cost per rule id. */
  sharedByRule: Map<string, bigint>;
  unpriced: number;
}

export interface PoolReceiver extends Amounts {
  department: string;
  /** The weight the split used: stored weight, direct cost in pico-USD, or 1 for even. */
  weight: string;
}

export interface SharedPool extends Amounts {
  rule_id: string;
  org: string | null;
  /** The method requested, and the one applied when it could not be (`weights` without stored weights → proportional). */
  method: SharedMethod;
  applied_method: SharedMethod;
  allocated: boolean;
  receivers: PoolReceiver[];
  note?: string;
}

export interface AllocationResult {
  leaves: AllocatedLeaf[];
  pools: SharedPool[];
}

function zero(): Amounts {
  return { cost_pico: 0n, tokens: 0, requests: 0 };
}

function add(a: Amounts, b: Amounts): void {
  a.cost_pico += b.cost_pico;
  a.tokens += b.tokens;
  a.requests += b.requests;
}

/** True when every attribute the rule names holds for the leaf (`null` = absent). */
export function ruleMatches(rule: Pick<AllocationRule, 'match'>, attrs: AllocationLeaf['attrs']): boolean {
  for (const [key, want] of Object.entries(rule.match)) {
    if (want === undefined) continue;
    const have = attrs[key as AllocationAttribute] ?? null;
    if (have !== want) return false;
  }
  return true;
}

/** Attributes the leaves must be grouped by so that every rule can be decided. */
export function ruleAttributes(rules: readonly AllocationRule[]): AllocationAttribute[] {
  const out = new Set<AllocationAttribute>(['org', 'department']);
  for (const r of rules) for (const k of Object.keys(r.match)) out.add(k as AllocationAttribute);
  return ALLOCATION_ATTRIBUTES.filter((a) => out.has(a));
}

/**
 * The rule that takes a leaf: stored rules in id order, then the built-in
 * unattributed pool for a leaf without a department; `undefined` = direct.
 */
export function poolRuleOf(rules: readonly AllocationRule[], attrs: AllocationLeaf['attrs']): AllocationRule | undefined {
  for (const r of rules) if (ruleMatches(r, attrs)) return r;
  if ((attrs.department ?? null) === null) return { id: UNATTRIBUTED_RULE, match: { department: null } };
  return undefined;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function attrsKey(attrs: AllocationLeaf['attrs']): string {
  return ALLOCATION_ATTRIBUTES.map((a) => attrs[a] ?? '\u0001').join('\u0000');
}

/** Splits integer amounts with one set of weights (largest remainder each; even when every weight is 0). */
function splitAmounts(total: Amounts, weights: readonly bigint[]): Amounts[] {
  const cost = distributeOrEven(total.cost_pico, weights);
  const tokens = distributeOrEven(BigInt(total.tokens), weights);
  const requests = distributeOrEven(BigInt(total.requests), weights);
  return weights.map((_, i) => ({ cost_pico: cost[i]!, tokens: Number(tokens[i]!), requests: Number(requests[i]!) }));
}

/**
 * Allocates shared pools. `rules` are the stored rules (any order: they are
 * tried in id order; a stored rule with id `unattributed` replaces the
 * built-in one). Deterministic: the same leaves in any order give the same result.
 */
export function allocate(leavesIn: readonly AllocationLeaf[], rulesIn: readonly AllocationRule[], method: SharedMethod): AllocationResult {
  const rules = [...rulesIn].sort((a, b) => compareKeys(a.id, b.id));
  // Keys computed once per leaf (in the comparator they were built O(n log n) times).
  const leaves = leavesIn.map((l) => ({ l, k: attrsKey(l.attrs) })).sort((a, b) => compareKeys(a.k, b.k)).map((x) => x.l);

  const direct: AllocatedLeaf[] = [];
  /** pool key (rule id, org) → its leaves. */
  const poolLeaves = new Map<string, { rule: AllocationRule; org: string | null; leaves: AllocationLeaf[] }>();
  for (const leaf of leaves) {
    const rule = poolRuleOf(rules, leaf.attrs);
    if (rule === undefined) {
      direct.push({ attrs: leaf.attrs, direct: { cost_pico: leaf.cost_pico, tokens: leaf.tokens, requests: leaf.requests }, shared: zero(), sharedByRule: new Map(), unpriced: leaf.unpriced });
      continue;
    }
    const org = leaf.attrs.org ?? null;
    const key = `${rule.id}\u0000${org ?? '\u0001'}`;
    let pool = poolLeaves.get(key);
    if (!pool) poolLeaves.set(key, (pool = { rule, org, leaves: [] }));
    pool.leaves.push(leaf);
  }

  // Direct spend per (org, department), and each department's direct leaves (the push-down targets).
  const deptLeaves = new Map<string, AllocatedLeaf[]>();
  const deptKey = (org: string | null, dept: string): string => `${org ?? '\u0001'}\u0000${dept}`;
  for (const leaf of direct) {
    const dept = leaf.attrs.department ?? null;
    if (dept === null) continue;
    const k = deptKey(leaf.attrs.org ?? null, dept);
    let list = deptLeaves.get(k);
    if (!list) deptLeaves.set(k, (list = []));
    list.push(leaf);
  }
  const deptDirect = (org: string | null, dept: string): bigint => {
    let sum = 0n;
    for (const l of deptLeaves.get(deptKey(org, dept)) ?? []) sum += l.direct.cost_pico;
    return sum;
  };
  const departmentsOf = (org: string | null): string[] => {
    const prefix = `${org ?? '\u0001'}\u0000`;
    return [...deptLeaves.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort(compareKeys);
  };

  const pools: SharedPool[] = [];
  const synthetic = new Map<string, AllocatedLeaf>();
  const orderedPools = [...poolLeaves.values()].sort((a, b) => compareKeys(a.rule.id, b.rule.id) || compareKeys(a.org ?? '', b.org ?? '') || (a.org === null ? -1 : b.org === null ? 1 : 0));
  for (const { rule, org, leaves: members } of orderedPools) {
    const total = zero();
    for (const l of members) add(total, l);
    const pool: SharedPool = { rule_id: rule.id, org, method, applied_method: method, allocated: false, receivers: [], ...total };
    pools.push(pool);

    // Receivers and their weights.
    let receivers: string[];
    let weights: bigint[];
    const storedWeights = rule.weights ? Object.entries(rule.weights).filter(([, w]) => w > 0) : [];
    if (method === 'weights' && storedWeights.length > 0) {
      const allowed = rule.receivers ? new Set(rule.receivers) : undefined;
      const chosen = storedWeights.filter(([d]) => !allowed || allowed.has(d)).sort(([a], [b]) => compareKeys(a, b));
      receivers = chosen.map(([d]) => d);
      weights = chosen.map(([, w]) => weightUnits(w));
    } else {
      if (method === 'weights') {
        pool.applied_method = 'proportional';
        pool.note = `rule "${rule.id}" stores no weights: split in proportion to direct spend`;
      }
      receivers = rule.receivers ? [...new Set(rule.receivers)].sort(compareKeys) : departmentsOf(org);
      weights = pool.applied_method === 'even' ? receivers.map(() => 1n) : receivers.map((d) => deptDirect(org, d));
      if (pool.applied_method === 'proportional' && receivers.length > 0 && weights.every((w) => w === 0n)) {
        pool.applied_method = 'even';
        pool.note = 'no receiving department has direct spend: split evenly';
        weights = receivers.map(() => 1n);
      }
    }
    if (receivers.length === 0) {
      // Nobody to charge: the spend stays where it is, as direct spend of its own rows.
      pool.note = `no receiving department${org === null ? '' : ` in org "${org}"`}: left unallocated`;
      for (const l of members) {
        direct.push({ attrs: l.attrs, direct: { cost_pico: l.cost_pico, tokens: l.tokens, requests: l.requests }, shared: zero(), sharedByRule: new Map(), unpriced: l.unpriced });
      }
      continue;
    }
    pool.allocated = true;
    const shares = splitAmounts(total, weights);
    receivers.forEach((dept, i) => {
      const share = shares[i]!;
      pool.receivers.push({ department: dept, weight: pool.applied_method === 'weights' ? formatWeight(weights[i]!) : weights[i]!.toString(), ...share });
      // Push the department's share down to its own rows by their direct cost.
      let targets = deptLeaves.get(deptKey(org, dept));
      if (!targets || targets.length === 0) {
        const k = deptKey(org, dept);
        let leaf = synthetic.get(k);
        if (!leaf) {
          leaf = { attrs: { org, department: dept }, direct: zero(), shared: zero(), sharedByRule: new Map(), unpriced: 0 };
          synthetic.set(k, leaf);
        }
        targets = [leaf];
      }
      const down = splitAmounts(share, targets.map((t) => t.direct.cost_pico));
      targets.forEach((t, j) => {
        const part = down[j]!;
        add(t.shared, part);
        t.sharedByRule.set(rule.id, (t.sharedByRule.get(rule.id) ?? 0n) + part.cost_pico);
      });
    });
  }
  return { leaves: [...direct, ...synthetic.values()], pools };
}

/** A weight in `WEIGHT_SCALE` units back as a decimal string. */
function formatWeight(units: bigint): string {
  const whole = units / 1_000_000n;
  const frac = (units % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}
