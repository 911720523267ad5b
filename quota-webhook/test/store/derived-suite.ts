/**
 * The derived tables every store must keep exact (SQLite and Postgres run the
 * same suite): running totals beyond a 64-bit pico-USD sum and beyond 2⁵³
 * tokens, the analytics rollup equal to a rebuild from the records, and
 * series over any [from, to) equal to a scan of the records.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rollupBucket } from '../../src/ledger/totals.js';
import { toLedgerRow } from '../../src/index.js';
import { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { LedgerRow, RollupRow } from '../../src/store/types.js';
import { record, startTestServer, type TestServer } from '../helpers.js';
import type { StoreTarget } from './core-suite.js';

const NOW = Date.parse('2026-03-15T12:00:00Z');

function row(over: Record<string, unknown>): LedgerRow {
  return toLedgerRow(record(over) as never, PriceCatalog.bundled(), () => undefined, NOW);
}

/** Rollup rows as comparable strings. */
function rollupKeys(rows: readonly RollupRow[]): string[] {
  return rows.map((r) => `${r.scope}|${r.subject}|${r.bucket_ms}|${r.requests}|${r.errors}|${r.blocked}|${r.fallback}|${r.input}|${r.output}|${r.cache_read}|${r.cache_write}|${r.reasoning}|${r.cost_pico}|${r.unpriced}|${r.latency_ms_sum}`).sort();
}

export function defineDerivedSuite(target: StoreTarget): void {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const t of servers.splice(0).reverse()) await t.stop();
  });
  const open = async (): Promise<TestServer> => {
    const t = await startTestServer({ now: NOW, config: await target.fresh() });
    servers.push(t);
    return t;
  };

  describe(`${target.kind} store: derived tables`, () => {
    it('keeps totals exact far beyond $9.2 M per window and 2⁵³ tokens (split money, 64-bit tokens)', async () => {
      const t = await open();
      const r = row({ id: 'x', user: 'whale', time: new Date(NOW).toISOString() });
      // $10¹⁵ + 1 pico-USD and 2⁶⁰ tokens per delta, added three times: no overflow, no float, exact.
      const cost = 10n ** 27n + 1n;
      const tokens = 2n ** 60n;
      const delta = { period: 'day' as const, tz: 'UTC', window_start: Date.parse('2026-03-15T00:00:00Z'), scope: 'user' as const, org: '', subject: 'whale', requests: 1, tokens, cost_pico: cost };
      for (const id of ['a', 'b', 'c']) await t.cp.store.ingest([{ ...r, id }], () => ({ totals: [delta], rollup: [] }));
      const [total] = await t.cp.store.windowTotals('day', 'UTC', delta.window_start, 'user');
      expect(total).toMatchObject({ requests: 3, tokens: 3n * tokens, cost_pico: 3n * cost });
      // The API shows the exact decimal.
      await t.json('POST', '/api/v1/quotas', { id: 'whale', scope: 'user', subject: 'whale', metric: 'cost', period: 'day', limit: 1e15 });
      const status = await t.json('GET', '/api/v1/quotas/whale/status', undefined, 'read');
      expect(status.body.windows[0].usage_usd).toBe('3000000000000000.000000000003');
    });

    it('the rollup equals a rebuild from the records, and series over any [from, to) equal a scan of the records', async () => {
      const t = await open();
      const users = ['ann', 'bo', 'cy'];
      const records = Array.from({ length: 200 }, (_, i) => record({
        id: `r${i}`, time: new Date(NOW - i * 401_000 - (i % 7) * 13_000).toISOString(), user: users[i % 3], department: i % 2 ? 'eng' : 'ops',
        feature: `f${i % 5}`, project: i % 4 === 0 ? 'apollo' : undefined, request_model: i % 6 === 0 ? 'unknown-model' : 'gpt-4o-mini',
        outcome: i % 9 === 0 ? 'error' : i % 11 === 0 ? 'blocked' : 'ok', tokens: { input: 100 + i, output: 7 * i, cache_read: i % 3, cache_write: 0, reasoning: i % 2 },
        latency_ms: 10 + (i % 13),
      }));
      const res = await t.json('POST', '/api/v1/usage', { records }, 'ingest');
      expect(res.body.accepted).toBe(200);
      const before = rollupKeys(await t.cp.store.rollup({ scope: 'all', from: 0, to: NOW + 1 }));
      const dept = rollupKeys(await t.cp.store.rollup({ scope: 'department', from: 0, to: NOW + 1 }));
      expect(before.length).toBeGreaterThan(10);
      await t.cp.ledger.rebuildTotals(undefined, { rollup: true });
      expect(rollupKeys(await t.cp.store.rollup({ scope: 'all', from: 0, to: NOW + 1 }))).toEqual(before);
      expect(rollupKeys(await t.cp.store.rollup({ scope: 'department', from: 0, to: NOW + 1 }))).toEqual(dept);

      // Series at edges that cut buckets: the sums equal the records in [from, to) exactly.
      const rows = (await t.cp.store.queryRecords({}, 10_000)).filter((r) => r.user_id === 'bo');
      for (const [from, to] of [[NOW - 80_000_000 + 123, NOW - 1_000_007], [NOW - 900_000 * 10 - 1, NOW - 900_000 * 10 + 5], [0, NOW + 1]] as const) {
        const series = await t.cp.queries.series({ scope: 'user', subject: 'bo', from, to });
        const inRange = rows.filter((r) => r.time_ms >= from && r.time_ms < to);
        expect(series.reduce((a, s) => a + s.requests, 0)).toBe(inRange.length);
        expect(series.reduce((a, s) => a + s.cost_pico, 0n)).toBe(inRange.reduce((a, r) => a + (r.cost_pico ?? 0n), 0n));
        expect(series.reduce((a, s) => a + s.output, 0)).toBe(inRange.reduce((a, r) => a + r.output, 0));
        expect(series.reduce((a, s) => a + s.errors, 0)).toBe(inRange.filter((r) => r.outcome === 'error').length);
        expect(series.every((s) => s.bucket_ms === rollupBucket(s.bucket_ms))).toBe(true);
      }
      // Every subject of a scope at once, and the project dimension.
      const projects = await t.cp.queries.series({ scope: 'project', from: 0, to: NOW + 1 });
      expect(projects.reduce((a, s) => a + s.requests, 0)).toBe(50);
      expect(new Set(projects.map((p) => p.subject))).toEqual(new Set(['apollo']));
    });

    it('readQuery runs portable read-only SQL and refuses writes', async () => {
      const t = await open();
      await t.json('POST', '/api/v1/usage', { records: [record({ user: 'q', time: new Date(NOW).toISOString() })] }, 'ingest');
      const rows = await t.cp.store.readQuery('SELECT user_id, COUNT(*) AS n FROM records WHERE user_id = ? GROUP BY user_id', ['q']);
      expect(rows.map((r) => [r.user_id, Number(r.n)])).toEqual([['q', 1]]);
      await expect(t.cp.store.readQuery('DELETE FROM records')).rejects.toThrow(/only SELECT/);
    });
  });
}


