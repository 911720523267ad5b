import { describe, expect, it } from 'vitest';
import { allocate, type AllocationLeaf, type AllocationRule, type SharedMethod } from '../../src/analytics/allocation.js';
import { buildTree, reconcile, type AllocationRow } from '../../src/analytics/allocation-tree.js';

function leaf(attrs: AllocationLeaf['attrs'], cost: number, requests = 1, tokens = 10): AllocationLeaf {
  return { attrs, cost_pico: BigInt(cost), requests, tokens, unpriced: 0 };
}

/** acme: eng 600 (f1 400, f2 200), sales 300, support 100 direct; 101 with no department; 90 on the shared platform-search feature. */
const LEAVES: AllocationLeaf[] = [
  leaf({ org: 'acme', department: 'eng', feature: 'f1' }, 400, 4, 40),
  leaf({ org: 'acme', department: 'eng', feature: 'f2' }, 200, 2, 20),
  leaf({ org: 'acme', department: 'sales', feature: 'crm' }, 300, 3, 30),
  leaf({ org: 'acme', department: 'support', feature: 'bot' }, 100, 1, 10),
  leaf({ org: 'acme', department: null, feature: 'f1' }, 101, 5, 7),
  leaf({ org: 'acme', department: 'platform', feature: 'platform-search' }, 90, 9, 11),
];
const SEARCH: AllocationRule = { id: 'platform-search', match: { feature: 'platform-search' } };
const LEDGER = { cost_pico: 1191n, requests: 24, tokens: 118, unpriced: 0 };

function find(rows: readonly AllocationRow[], ...path: Array<string | null>): AllocationRow {
  let list = rows;
  let row: AllocationRow | undefined;
  for (const key of path) {
    row = list.find((r) => r.key === key);
    if (!row) throw new Error(`no row ${path.join('/')}`);
    list = row.children ?? [];
  }
  return row!;
}

function shared(rows: readonly AllocationRow[], ...path: string[]): bigint {
  return find(rows, ...path).shared.cost_pico;
}

/** Every row equals the sum of its children, in all three amounts and both parts. */
function checkSums(rows: readonly AllocationRow[]): void {
  for (const r of rows) {
    expect(r.total.cost_pico).toBe(r.direct.cost_pico + r.shared.cost_pico);
    if (!r.children) continue;
    for (const part of ['direct', 'shared', 'total'] as const) {
      expect(r.children.reduce((a, c) => a + c[part].cost_pico, 0n)).toBe(r[part].cost_pico);
      expect(r.children.reduce((a, c) => a + c[part].tokens, 0)).toBe(r[part].tokens);
      expect(r.children.reduce((a, c) => a + c[part].requests, 0)).toBe(r[part].requests);
    }
    checkSums(r.children);
  }
}

describe('shared-cost allocation', () => {
  it('even: each pool is split in equal parts, extra units to the first departments by name', () => {
    const { leaves, pools } = allocate(LEAVES, [SEARCH], 'even');
    const rows = buildTree(leaves, ['org', 'department', 'feature']);
    // unattributed 101 → 34 / 34 / 33; platform-search 90 → 30 each.
    expect(shared(rows, 'acme', 'eng')).toBe(34n + 30n);
    expect(shared(rows, 'acme', 'sales')).toBe(34n + 30n);
    expect(shared(rows, 'acme', 'support')).toBe(33n + 30n);
    expect(pools.map((p) => [p.rule_id, p.cost_pico, p.receivers.map((r) => [r.department, r.cost_pico])])).toEqual([
      ['platform-search', 90n, [['eng', 30n], ['sales', 30n], ['support', 30n]]],
      ['unattributed', 101n, [['eng', 34n], ['sales', 34n], ['support', 33n]]],
    ]);
    // The platform department's spend was all shared: it is no row of its own.
    expect(rows[0]!.children!.map((r) => r.key).sort()).toEqual(['eng', 'sales', 'support']);
    checkSums(rows);
    expect(reconcile(LEDGER, rows, pools)).toMatchObject({ ledger_total_usd: '0.000000001191', allocated_total_usd: '0.000000001191', difference_usd: '0', reconciled: true, shared_distributed_usd: '0.000000000191' });
  });

  it('proportional: in proportion to direct spend, then down to the department\'s rows by theirs', () => {
    const { leaves, pools } = allocate(LEAVES, [SEARCH], 'proportional');
    const rows = buildTree(leaves, ['org', 'department', 'feature']);
    // unattributed 101 × 600/300/100 of 1000 → 60.6, 30.3, 10.1 → 61, 30, 10; platform-search 90 → 54, 27, 9.
    expect(shared(rows, 'acme', 'eng')).toBe(61n + 54n);
    expect(shared(rows, 'acme', 'sales')).toBe(30n + 27n);
    expect(shared(rows, 'acme', 'support')).toBe(10n + 9n);
    // eng's 115 → f1 400/600, f2 200/600 per pool: 61 → 41 + 20 (remainder 400 > 200), 54 → 36 + 18.
    expect(shared(rows, 'acme', 'eng', 'f1')).toBe(41n + 36n);
    expect(shared(rows, 'acme', 'eng', 'f2')).toBe(20n + 18n);
    expect(Object.fromEntries(find(rows, 'acme', 'eng', 'f1').sharedByRule)).toEqual({ unattributed: 41n, 'platform-search': 36n });
    // Tokens and requests of the pools are split the same way: 5 requests → 3, 1, 1 (weights 6:3:1 → 3, 1.5, 0.5).
    expect(find(rows, 'acme', 'eng').shared.requests + find(rows, 'acme', 'sales').shared.requests + find(rows, 'acme', 'support').shared.requests).toBe(14);
    checkSums(rows);
    expect(reconcile(LEDGER, rows, pools).reconciled).toBe(true);
    expect(pools.every((p) => p.applied_method === 'proportional')).toBe(true);
  });

  it('weights: the stored weights decide; a rule without weights is split proportionally and says so', () => {
    const unattributed: AllocationRule = { id: 'unattributed', match: { department: null }, weights: { eng: 1, sales: 1, support: 2 } };
    const { leaves, pools } = allocate(LEAVES, [SEARCH, unattributed], 'weights');
    const rows = buildTree(leaves, ['org', 'department']);
    // 101 × 1/4, 1/4, 2/4 → 25.25, 25.25, 50.5 → 25, 25, 51.
    const un = pools.find((p) => p.rule_id === 'unattributed')!;
    expect(un.receivers.map((r) => [r.department, r.cost_pico, r.weight])).toEqual([['eng', 25n, '1'], ['sales', 25n, '1'], ['support', 51n, '2']]);
    const search = pools.find((p) => p.rule_id === 'platform-search')!;
    expect(search.applied_method).toBe('proportional');
    expect(search.note).toMatch(/stores no weights/);
    expect(shared(rows, 'acme', 'support')).toBe(51n + 9n);
    checkSums(rows);
    expect(reconcile(LEDGER, rows, pools).reconciled).toBe(true);
  });

  it('a weighted receiver without direct spend gets a row of its own; receivers restrict the split', () => {
    const rule: AllocationRule = { id: 'platform-search', match: { feature: 'platform-search' }, weights: { eng: 1, research: 2 } };
    const { leaves, pools } = allocate(LEAVES, [rule], 'weights');
    const rows = buildTree(leaves, ['org', 'department', 'feature']);
    expect(find(rows, 'acme', 'research').shared.cost_pico).toBe(60n);
    expect(find(rows, 'acme', 'research', null).direct.cost_pico).toBe(0n);
    expect(reconcile(LEDGER, rows, pools).reconciled).toBe(true);
    const restricted = allocate(LEAVES, [{ id: 'platform-search', match: { feature: 'platform-search' }, receivers: ['sales', 'support'] }], 'even');
    expect(restricted.pools[0]!.receivers.map((r) => [r.department, r.cost_pico])).toEqual([['sales', 45n], ['support', 45n]]);
    checkSums(rows);
  });

  it('pools stay within their org; spend with nobody to receive it is left on its own rows and reported', () => {
    const leaves = [
      ...LEAVES,
      leaf({ org: 'globex', department: 'ops', feature: 'x' }, 50),
      leaf({ org: 'globex', department: null, feature: 'x' }, 7),
      leaf({ org: 'initech', department: null, feature: 'y' }, 13),
    ];
    const result = allocate(leaves, [SEARCH], 'proportional');
    const rows = buildTree(result.leaves, ['org', 'department']);
    expect(find(rows, 'globex', 'ops').shared.cost_pico).toBe(7n);
    expect(find(rows, 'acme', 'eng').shared.cost_pico).toBe(61n + 54n);
    const initech = result.pools.find((p) => p.org === 'initech')!;
    expect(initech.allocated).toBe(false);
    expect(initech.note).toMatch(/no receiving department in org "initech"/);
    expect(find(rows, 'initech', null).direct.cost_pico).toBe(13n);
    const ledger = { cost_pico: 1191n + 70n, requests: 27, tokens: 148, unpriced: 0 };
    expect(reconcile(ledger, rows, result.pools)).toMatchObject({ reconciled: true, shared_unallocated_usd: '0.000000000013' });
  });

  it('is deterministic: the same leaves in any order give the same table', () => {
    const a = buildTree(allocate(LEAVES, [SEARCH], 'proportional').leaves, ['org', 'department', 'feature']);
    const b = buildTree(allocate([...LEAVES].reverse(), [SEARCH], 'proportional').leaves, ['org', 'department', 'feature']);
    expect(b).toEqual(a);
  });

  it('reconciles to the unit for random ledgers under every method (500 cases)', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    for (let c = 0; c < 500; c++) {
      const leaves: AllocationLeaf[] = [];
      for (let i = 0; i < 1 + Math.floor(next() * 30); i++) {
        leaves.push(leaf({ org: pick(['a', 'b', null]), department: pick(['d1', 'd2', 'd3', null]), feature: pick(['f1', 'f2', 'shared', null]), investigation: pick(['i1', null]) },
          Math.floor(next() * 1e12), 1 + Math.floor(next() * 9), Math.floor(next() * 1e6)));
      }
      const rules: AllocationRule[] = [{ id: 'shared', match: { feature: 'shared' }, weights: { d1: 1, d3: 2.5 } }];
      const method = pick<SharedMethod>(['even', 'proportional', 'weights']);
      const { leaves: out, pools } = allocate(leaves, rules, method);
      const rows = buildTree(out, ['org', 'department', 'feature', 'investigation']);
      const ledger = leaves.reduce((a, l) => ({ cost_pico: a.cost_pico + l.cost_pico, requests: a.requests + l.requests, tokens: a.tokens + l.tokens, unpriced: 0 }), { cost_pico: 0n, requests: 0, tokens: 0, unpriced: 0 });
      expect(reconcile(ledger, rows, pools).reconciled).toBe(true);
      checkSums(rows);
    }
  });
});
