/** Ledger checks shared by the tests: totals as comparable strings, and "totals equal a rebuild from the records". */
import { expect } from 'vitest';
import type { Store, TotalRow } from '../../src/store/types.js';

export function totalsKey(rows: readonly TotalRow[]): string[] {
  return rows.map((r) => `${r.period}|${r.tz}|${r.window_start}|${r.scope}|${r.org}|${r.subject}|${r.requests}|${r.tokens}|${r.cost_pico}`).sort();
}

/** Asserts the running totals equal the totals rebuilt from the records (and leaves the rebuilt ones in place). */
export async function expectTotalsEqualRebuilt(store: Store, rebuild: () => Promise<unknown>): Promise<void> {
  const before = totalsKey(await store.allTotals());
  expect(before.length).toBeGreaterThan(0);
  await rebuild();
  expect(totalsKey(await store.allTotals())).toEqual(before);
}
