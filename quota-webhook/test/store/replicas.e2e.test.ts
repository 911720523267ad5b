/**
 * Two control-plane replicas on one real Postgres agree: configuration and
 * blocks made on one reach the other within a second (LISTEN/NOTIFY), a
 * lost notification connection resyncs, and ingest on both keeps the totals
 * exact.
 */
import pg from 'pg';
import { startPostgres, waitFor, type RunningPostgres } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { expectTotalsEqualRebuilt } from '../support/ledger.js';

let server: RunningPostgres;
let admin: pg.Client;
let a: TestServer;
let b: TestServer;
const NOW = Date.now();

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const url = await server.createDatabase('replicas');
  a = await startTestServer({ now: NOW, config: { dbUrl: url } });
  b = await startTestServer({ now: NOW, config: { dbUrl: url } });
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await admin?.end();
  await server?.stop();
});

// Propagation takes milliseconds (a NOTIFY); the bound is generous for a loaded test machine.
const within = { timeoutMillis: 5000, intervalMillis: 10 };
const blockIds = async (t: TestServer): Promise<string[]> =>
  ((await t.json('GET', '/api/v1/enforcement', undefined, 'read')).body.blocks as Array<{ id: string }>).map((x) => x.id).sort();

describe('two replicas on one Postgres', () => {
  it('a quota created on one is enforced by the other within a second', async () => {
    expect((await a.json('POST', '/api/v1/quotas', { id: 'alice-daily', scope: 'user', subject: 'alice', metric: 'requests', period: 'day', limit: 2, enforcement: 'hard', timezone: 'Asia/Tokyo' })).status).toBe(201);
    await waitFor(async () => b.cp.quotaSet.quotas.get('alice-daily')?.limit === 2, { ...within, what: 'the quota on replica B' });
    // The quota's zone is a change of its own, which A publishes after the quota (once its totals are built there).
    await waitFor(async () => b.cp.timeZones.list().includes('Asia/Tokyo'), { ...within, what: "the quota's time zone on replica B" });
    // B blocks at ingest with the quota A created; A's feed carries the block.
    const res = await b.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', time: new Date(NOW).toISOString() }), record({ user: 'alice', time: new Date(NOW).toISOString() })] }, 'ingest');
    expect(res.body.accepted).toBe(2);
    const onB = await blockIds(b);
    expect(onB).toHaveLength(1);
    await waitFor(async () => JSON.stringify(await blockIds(a)) === JSON.stringify(onB), { ...within, what: "B's block in A's feed" });
    // A change of limit on B lifts the block on both (B reconciles; A hears the unblock).
    await b.json('PATCH', '/api/v1/quotas/alice-daily', { limit: 10 });
    await waitFor(async () => (await blockIds(a)).length === 0, { ...within, what: 'the unblock on A' });
  });

  it('blocks, prices, providers and the directory made on one appear on the other', async () => {
    const blk = await a.json('POST', '/api/v1/blocks', { scope: 'feature', subject: 'runaway', reason: 'test' });
    expect(blk.status).toBe(201);
    await waitFor(async () => (await blockIds(b)).includes(blk.body.id), { ...within, what: 'the manual block on B' });
    await b.json('POST', '/api/v1/prices', { id: 'house-model', provider: 'openai', model_pattern: 'house-.*', match: 'regex', effective_from: '2026-01-01', prices: { input: '1', output: '2' } });
    await waitFor(async () => a.cp.prices.catalog.entries().some((e) => e.id === 'house-model'), { ...within, what: 'the price on A' });
    await a.json('PUT', '/api/v1/providers/acme/openai', { enabled: false, priority: 3 });
    await waitFor(async () => (await b.json('GET', '/api/v1/enforcement', undefined, 'read')).body.providers.some((p: { org: string; enabled: boolean }) => p.org === 'acme' && !p.enabled), { ...within, what: 'the provider on B' });
    await b.json('PUT', '/api/v1/directory/users/zoe', { department: 'ml', org: 'acme' });
    await waitFor(async () => a.cp.directory.get('zoe')?.department === 'ml', { ...within, what: 'the directory entry on A' });
    await a.json('DELETE', `/api/v1/blocks/${blk.body.id}`);
    await waitFor(async () => !(await blockIds(b)).includes(blk.body.id), { ...within, what: 'the unblock on B' });
  });

  it('after the notification connection is lost, a replica resyncs what it missed', async () => {
    // Cut B's LISTEN connection; change things on A while B is deaf.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'replicas' AND query LIKE 'LISTEN%'");
    await a.json('POST', '/api/v1/quotas', { id: 'missed', scope: 'feature', subject: 'x', metric: 'cost', period: 'month', limit: 5 });
    await waitFor(async () => b.cp.quotaSet.quotas.has('missed'), { timeoutMillis: 15_000, intervalMillis: 50, what: 'B to resync after reconnecting' });
  });

  it('ingest on both replicas at once keeps the totals exact', async () => {
    const batch = (p: string, n: number): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => record({
      id: `${p}-${i % 150}`, user: `u${i % 7}`, department: `d${i % 3}`, time: new Date(NOW - i * 61_000).toISOString(),
    }));
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => a.json('POST', '/api/v1/usage', { records: batch('shared', 150) }, 'ingest')),
      ...Array.from({ length: 4 }, () => b.json('POST', '/api/v1/usage', { records: batch('shared', 150) }, 'ingest')),
    ]);
    expect(results.reduce((n, r) => n + r.body.accepted, 0)).toBe(150);
    await expectTotalsEqualRebuilt(a.cp.store, () => a.cp.ledger.rebuildTotals());
  });
});
