/**
 * The core behaviour every store must keep (SQLite and Postgres run the same
 * suite): idempotent ingest by record id, running totals equal to the
 * records, quota evaluation, blocks and audit, and everything surviving a
 * restart on the same database.
 */
import { formatUsd } from '@tokenmeter/instrumentation/pricing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/index.js';
import { amPayload, quotaAlertLabels, record, startTestServer, type TestServer } from '../helpers.js';
import { expectTotalsEqualRebuilt, totalsKey } from '../support/ledger.js';

const NOW = Date.parse('2026-03-15T12:00:00Z');

export interface StoreTarget {
  kind: 'sqlite' | 'postgres';
  /** Config of a fresh, empty database (`dbUrl`). */
  fresh(): Promise<Partial<Config>>;
}

export function defineCoreSuite(target: StoreTarget): void {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const t of servers.splice(0).reverse()) await t.stop();
  });

  const open = async (config: Partial<Config>, now = NOW): Promise<TestServer> => {
    const t = await startTestServer({ now, config });
    servers.push(t);
    expect(t.cp.store.kind).toBe(target.kind);
    return t;
  };
  /** Closes `t` and opens the same database again. */
  const restart = async (t: TestServer): Promise<TestServer> => {
    await t.close();
    return open({ dbUrl: t.cp.config.dbUrl }, t.clock.now);
  };

  describe(`${target.kind} store: ingest`, () => {
    it('is idempotent by record id: replays, in-batch repeats and concurrent replays count once', async () => {
      const t = await open(await target.fresh());
      const batch = Array.from({ length: 40 }, (_, i) => record({ id: `c-${i}`, user: `u${i % 4}`, time: new Date(NOW - i * 60_000).toISOString() }));
      expect((await t.json('POST', '/api/v1/usage', { records: batch }, 'ingest')).body).toEqual({ accepted: 40, duplicates: 0, unpriced: 0, rejected: [] });
      const totals = totalsKey(await t.cp.store.allTotals());
      const replays = await Promise.all(Array.from({ length: 5 }, () => t.json('POST', '/api/v1/usage', { records: batch }, 'ingest')));
      for (const r of replays) expect(r.body).toEqual({ accepted: 0, duplicates: 40, unpriced: 0, rejected: [] });
      expect(totalsKey(await t.cp.store.allTotals())).toEqual(totals);
      const inBatch = record({ id: 'twice', time: new Date(NOW).toISOString() });
      expect((await t.json('POST', '/api/v1/usage', { records: [inBatch, inBatch] }, 'ingest')).body).toEqual({ accepted: 1, duplicates: 1, unpriced: 0, rejected: [] });
      expect(await t.cp.store.countRecords()).toBe(41);
    });

    it('concurrent batches that share ids insert each id once', async () => {
      const t = await open(await target.fresh());
      const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 30 }, (_, i) => record({ id: `s-${(b * 10 + i) % 60}`, user: 'u', time: new Date(NOW - ((b * 10 + i) % 60) * 1000).toISOString() })));
      const results = await Promise.all(batches.map((records) => t.json('POST', '/api/v1/usage', { records }, 'ingest')));
      expect(results.reduce((a, r) => a + r.body.accepted, 0)).toBe(60);
      expect(await t.cp.store.countRecords()).toBe(60);
      const day = (await t.cp.store.windowTotals('day', 'UTC', Date.parse('2026-03-15T00:00:00Z'), 'user'))[0]!;
      expect(day.requests).toBe(60);
      await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
    });

    it('a replay carrying another time is still a duplicate: the first time stays', async () => {
      const t = await open(await target.fresh());
      await t.json('POST', '/api/v1/usage', { records: [record({ id: 'moved', user: 'u', time: '2026-03-10T00:00:00Z' })] }, 'ingest');
      const again = await t.json('POST', '/api/v1/usage', { records: [record({ id: 'moved', user: 'u', time: '2026-02-10T00:00:00Z' })] }, 'ingest');
      expect(again.body).toEqual({ accepted: 0, duplicates: 1, unpriced: 0, rejected: [] });
      expect(await t.cp.store.countRecords()).toBe(1);
      const rows = (await t.json('GET', '/api/v1/usage', undefined, 'read')).body.records;
      expect(rows.map((r: { id: string; time: string }) => [r.id, r.time])).toEqual([['moved', '2026-03-10T00:00:00.000Z']]);
      expect(await t.cp.store.windowTotals('month', 'UTC', Date.parse('2026-02-01T00:00:00Z'), 'user')).toEqual([]);
    });

    it('keeps exact pico-USD, big token counts and every field', async () => {
      const t = await open(await target.fresh());
      const big = record({
        id: 'big', time: '2026-03-15T11:00:00.123Z', org: 'acme', department: 'research', user: 'alice', feature: 'f', investigation: 'inc', session: 's',
        service_tier: 'batch', response_model: 'gpt-4o-2024-08-06', service: 'svc', error_type: 'timeout', outcome: 'error', latency_ms: 1234.5,
        tokens: { input: 90_000_000, output: 80_000_000, cache_read: 7, cache_write: 0, reasoning: 11 }, cost_usd: '0.000000000001',
      });
      await t.json('POST', '/api/v1/usage', { records: [big] }, 'ingest');
      const [row] = (await t.json('GET', '/api/v1/usage', undefined, 'read')).body.records;
      expect(row).toMatchObject({
        id: 'big', time: '2026-03-15T11:00:00.123Z', org: 'acme', department: 'research', user: 'alice', feature: 'f', investigation: 'inc', session: 's',
        service_tier: 'batch', request_model: 'gpt-4o', response_model: 'gpt-4o-2024-08-06', service: 'svc', error_type: 'timeout', outcome: 'error', latency_ms: 1234.5,
        tokens: { input: 90_000_000, output: 80_000_000, cache_read: 7, cache_write: 0, reasoning: 11 }, total_tokens: 170_000_018,
        sender_cost_usd: '0.000000000001', unpriced: false,
      });
      // Batch tier of gpt-4o-2024-08-06 (1.25 / 5 per million, cache read 0.625 at half): exact to the pico-dollar.
      const expected = 90_000_000n * 1_250_000n + 80_000_011n * 5_000_000n + 7n * 625_000n;
      const day = (await t.cp.store.windowTotals('day', 'UTC', Date.parse('2026-03-15T00:00:00Z'), 'user'))[0]!;
      expect(day).toMatchObject({ tokens: 170_000_018n, requests: 1 });
      expect(day.cost_pico).toBe(expected);
      expect(row.cost_usd).toBe(formatUsd(expected));
      expect(row.cost_usd).toBe('512.500059375');
    });
  });

  describe(`${target.kind} store: totals and quotas`, () => {
    it('totals equal a rebuild from the records; a late record lands in its own window; new zones are rebuilt', async () => {
      const t = await open(await target.fresh());
      await t.json('POST', '/api/v1/quotas', { id: 'daily', scope: 'user', subject: '*', overrides: { bob: 2 }, metric: 'requests', period: 'day', limit: 3, enforcement: 'hard' });
      const records = Array.from({ length: 120 }, (_, i) => record({
        user: i % 2 ? 'alice' : 'bob', department: `d${i % 3}`, org: `o${i % 2}`, feature: `f${i % 4}`,
        request_model: i % 10 === 0 ? 'unknown' : 'gpt-4o-mini', time: new Date(NOW - i * 3_300_000).toISOString(),
      }));
      await t.json('POST', '/api/v1/usage', { records: records.slice(0, 70) }, 'ingest');
      await t.json('POST', '/api/v1/usage', { records: records.slice(50) }, 'ingest');
      await t.json('POST', '/api/v1/usage', { records: [record({ user: 'carol', time: '2026-03-14T23:59:59Z' })] }, 'ingest'); // late: yesterday
      await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
      const st = (await t.json('GET', '/api/v1/quotas/daily/status', undefined, 'read')).body;
      // Today (00:00–12:00 UTC): records 0..13 at 55-minute steps → i = 0..13, alternating users.
      expect(st.windows.map((w: { subject: string; usage: number; limit: number }) => [w.subject, w.usage, w.limit])).toEqual([['alice', 7, 3], ['bob', 7, 2]]);
      await t.json('POST', '/api/v1/quotas', { id: 'tokyo', scope: 'org', subject: '*', metric: 'cost', period: 'month', timezone: 'Asia/Tokyo', limit: 1 });
      expect(t.cp.timeZones.list()).toEqual(['UTC', 'Asia/Tokyo']);
      const tokyoProvider = (await t.cp.store.allTotals(['Asia/Tokyo'])).filter((r) => r.scope === 'provider' && r.period === 'hour');
      expect(tokyoProvider.reduce((a, r) => a + r.requests, 0)).toBe(121);
      await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
    });

    it('quota status and gauges read the same exact totals', async () => {
      const t = await open(await target.fresh());
      await t.json('POST', '/api/v1/quotas', { id: 'cost', scope: 'department', subject: 'research', metric: 'cost', period: 'month', limit: 0.02, enforcement: 'hard' });
      await t.json('POST', '/api/v1/usage', { records: Array.from({ length: 3 }, (_, i) => record({ department: 'research', time: `2026-03-0${i + 1}T00:00:00Z` })) }, 'ingest');
      const w = (await t.json('GET', '/api/v1/quotas/cost/status', undefined, 'read')).body.windows[0];
      expect(w).toMatchObject({ usage: 0.0225, usage_usd: '0.0225', utilization: 1.125 });
      const metrics = await (await t.call('GET', '/metrics', { token: null })).text();
      expect(metrics).toContain('tokenmeter_quota_usage{quota_id="cost",scope="department",subject="research",metric="cost",period="month",enforcement="hard"} 0.0225');
      expect(metrics).toContain(`tokenmeter_control_plane_info{version="0.1.0",store="${target.kind}"} 1`);
    });

    it('queries, groups, export and re-pricing', async () => {
      const t = await open(await target.fresh());
      await t.json('POST', '/api/v1/usage', {
        records: [
          record({ id: 'a', investigation: 'inc-1', session: 's1', user: 'alice', time: '2026-03-01T10:00:00Z' }),
          record({ id: 'b', investigation: 'inc-1', session: 's2', user: 'bob', time: '2026-03-01T11:00:00Z', request_model: 'gpt-4o-mini' }),
          record({ id: 'c', investigation: 'inc-2', user: 'bob', time: '2026-03-02T10:00:00Z', request_model: 'mystery' }),
        ],
      }, 'ingest');
      const g = (await t.json('GET', '/api/v1/usage?group_by=investigation', undefined, 'read')).body.groups;
      expect(g.map((x: { key: string; requests: number; cost_usd: string; unpriced_requests: number }) => [x.key, x.requests, x.cost_usd, x.unpriced_requests]))
        .toEqual([['inc-1', 2, '0.00795', 0], ['inc-2', 1, '0', 1]]);
      const day = (await t.json('GET', '/api/v1/usage?group_by=day', undefined, 'read')).body.groups;
      expect(day.map((x: { key: string }) => x.key)).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z']);
      const model = (await t.json('GET', '/api/v1/usage?group_by=model&user=bob', undefined, 'read')).body.groups;
      expect(model.map((x: { key: string; tokens: { total: number } }) => [x.key, x.tokens.total])).toEqual([['gpt-4o-mini', 1500], ['mystery', 1500]]);
      const page = await t.json('GET', '/api/v1/usage?limit=2', undefined, 'read');
      const rest = await t.json('GET', `/api/v1/usage?limit=2&cursor=${encodeURIComponent(page.body.next_cursor)}`, undefined, 'read');
      expect([...page.body.records, ...rest.body.records].map((r: { id: string }) => r.id)).toEqual(['a', 'b', 'c']);
      const csv = (await (await t.call('GET', '/api/v1/usage/export?investigation=inc-1', { token: 'read' })).text()).trimEnd().split('\n');
      expect(csv).toHaveLength(3);
      await t.json('POST', '/api/v1/prices', { provider: 'openai', model_pattern: 'gpt-4o', effective_from: '2026-01-01', prices: { input: '1', output: '2' } });
      const rp = await t.json('POST', '/api/v1/prices/reprice', { from: '2026-03-01', to: '2026-03-02', reason: 'test' });
      expect(rp.body).toEqual({ records: 2, changed: 1, cost_delta_usd: '-0.0055' });
      expect((await t.json('GET', '/api/v1/usage?investigation=inc-1', undefined, 'read')).body.records.map((r: { cost_usd: string }) => r.cost_usd)).toEqual(['0.002', '0.00045']);
      await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
    });

    it('ingest racing a rebuild for a new zone leaves totals equal to the records', async () => {
      const t = await open(await target.fresh());
      const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 40 }, (_, i) => record({ user: `u${i % 5}`, time: new Date(NOW - (b * 40 + i) * 90_000).toISOString() })));
      const ingests = batches.map((records) => t.json('POST', '/api/v1/usage', { records }, 'ingest'));
      const quota = t.json('POST', '/api/v1/quotas', { id: 'chatham', scope: 'user', subject: '*', metric: 'requests', period: 'day', timezone: 'Pacific/Chatham', limit: 1e6 });
      const results = await Promise.all([...ingests, quota]);
      expect(results.every((r) => r.status < 300)).toBe(true);
      const chatham = (await t.cp.store.allTotals(['Pacific/Chatham'])).filter((r) => r.scope === 'user' && r.period === 'month');
      expect(chatham.reduce((a, r) => a + r.requests, 0)).toBe(480);
      await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
    });
  });

  describe(`${target.kind} store: blocks, audit and restart`, () => {
    it('blocks from the receiver, the audit log, quotas, prices, records and totals survive a restart; the period reset still lifts the block', async () => {
      const t = await open(await target.fresh());
      const q = { id: 'hard', scope: 'user', subject: 'alice', metric: 'requests', period: 'day', limit: 2, enforcement: 'hard' };
      await t.json('POST', '/api/v1/prices', { id: 'admin-price', provider: 'openai', model_pattern: 'gpt-4o', effective_from: '2026-01-01', prices: { input: '1', output: '2' } });
      await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, priority: 1, limits: { hourly_requests: 10 } });
      await t.json('PUT', '/api/v1/directory/users/alice', { department: 'research', org: 'acme' });
      await t.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', time: '2026-03-15T10:00:00Z' }), record({ user: 'alice', time: '2026-03-15T11:00:00Z' })] }, 'ingest');
      // The quota after the usage: the receiver (not ingest) places this block.
      await t.json('POST', '/api/v1/quotas', q);
      const payload = amPayload('firing', [{ labels: quotaAlertLabels({ ...q, subject: 'alice' }), startsAt: '2026-03-15T11:00:30Z' }]);
      const fired = await t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager');
      expect(fired.body.blocked).toHaveLength(1);
      const before = {
        blocks: (await t.json('GET', '/api/v1/blocks', undefined, 'read')).body.blocks,
        audit: (await t.json('GET', '/api/v1/audit', undefined, 'read')).body.entries,
        totals: totalsKey(await t.cp.store.allTotals()),
        records: (await t.json('GET', '/api/v1/usage', undefined, 'read')).body.records,
        revision: t.cp.feed.revision,
      };

      const r = await restart(t);
      expect((await r.json('GET', '/api/v1/blocks', undefined, 'read')).body.blocks).toEqual(before.blocks);
      expect((await r.json('GET', '/api/v1/audit', undefined, 'read')).body.entries).toEqual(before.audit);
      expect(totalsKey(await r.cp.store.allTotals())).toEqual(before.totals);
      expect((await r.json('GET', '/api/v1/usage', undefined, 'read')).body.records).toEqual(before.records);
      expect(before.records.map((x: { cost_usd: string; department: string }) => [x.cost_usd, x.department])).toEqual([['0.002', 'research'], ['0.002', 'research']]);
      expect(r.cp.quotaSet.quotas.get('hard')).toMatchObject({ limit: 2, enforcement: 'hard' });
      expect(r.cp.prices.catalog.entries().some((e) => e.id === 'admin-price')).toBe(true);
      expect((await r.json('GET', '/api/v1/providers', undefined, 'read')).body.providers[0]).toMatchObject({ org: 'acme', usage: { hour_requests: 0, day_requests: 2 } });
      expect(r.cp.feed.revision).toBeGreaterThanOrEqual(before.revision);
      // The replayed alert after restart (Alertmanager re-sends) changes nothing.
      expect((await r.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager')).body.blocked).toEqual([]);

      r.clock.now = Date.parse('2026-03-16T00:00:00Z');
      await r.cp.tick();
      expect((await r.json('GET', '/api/v1/blocks', undefined, 'read')).body.blocks).toEqual([]);
      const trail = (await r.json('GET', '/api/v1/audit?kind=block', undefined, 'read')).body.entries;
      expect(trail.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([['block', 'alertmanager'], ['unblock', 'system']]);
      expect(r.cp.feed.revision).toBeGreaterThan(before.revision);
    });
  });
}
