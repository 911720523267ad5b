import { afterEach, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';
import type { TotalRow } from '../../src/store/types.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const sortTotals = (rows: TotalRow[]): string[] =>
  rows.map((r) => `${r.period}|${r.tz}|${r.window_start}|${r.scope}|${r.org}|${r.subject}|${r.requests}|${r.tokens}|${r.cost_pico}`).sort();

async function expectTotalsEqualRebuilt(t: TestServer): Promise<void> {
  const before = sortTotals(await t.cp.store.allTotals());
  await t.cp.ledger.rebuildTotals();
  expect(sortTotals(await t.cp.store.allTotals())).toEqual(before);
}

describe('usage ledger ingest', () => {
  it('is idempotent by record id: a replayed batch changes nothing', async () => {
    s = await startTestServer();
    const batch = { records: [record({ user: 'alice' }), record({ user: 'bob' })] };
    const first = await s.json('POST', '/api/v1/usage', batch, 'ingest');
    expect(first.body).toEqual({ accepted: 2, duplicates: 0, unpriced: 0, rejected: [] });
    const totals = sortTotals(await s.cp.store.allTotals());
    const again = await s.json('POST', '/api/v1/usage', batch, 'ingest');
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, unpriced: 0, rejected: [] });
    expect(sortTotals(await s.cp.store.allTotals())).toEqual(totals);
    // The same id twice inside one batch counts once.
    const dup = record();
    expect((await s.json('POST', '/api/v1/usage', { records: [dup, dup] }, 'ingest')).body).toEqual({ accepted: 1, duplicates: 1, unpriced: 0, rejected: [] });
    expect(await s.cp.store.countRecords()).toBe(3);
  });

  it('prices each record with its own table at its own time, exactly', async () => {
    s = await startTestServer();
    const r = record({ user: 'alice', cost_usd: '999' });
    await s.json('POST', '/api/v1/usage', { records: [r] }, 'ingest');
    const list = await s.json('GET', `/api/v1/usage?user=alice`);
    // gpt-4o list price: 2.50 in / 10.00 out per million → 1000 × 2.5e-6 + 500 × 1e-5
    expect(list.body.records[0].cost_usd).toBe('0.0075');
    expect(list.body.records[0].sender_cost_usd).toBe('999');
    expect(list.body.records[0].unpriced).toBe(false);
  });

  it('stores records of unknown models flagged unpriced, never dropped', async () => {
    s = await startTestServer();
    const res = await s.json('POST', '/api/v1/usage', { records: [record({ request_model: 'mystery-9000', user: 'u1' })] }, 'ingest');
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, unpriced: 1, rejected: [] });
    const list = await s.json('GET', '/api/v1/usage?model=mystery-9000');
    expect(list.body.records).toHaveLength(1);
    expect(list.body.records[0]).toMatchObject({ unpriced: true, cost_usd: null });
    const g = await s.json('GET', '/api/v1/usage?group_by=model');
    expect(g.body.groups[0]).toMatchObject({ key: 'mystery-9000', requests: 1, unpriced_requests: 1, cost_usd: '0' });
  });

  it('a late record counts in the window of its own timestamp', async () => {
    const now = Date.parse('2026-05-10T12:00:00Z');
    s = await startTestServer({ now });
    await s.json('POST', '/api/v1/quotas', { id: 'daily', scope: 'user', subject: 'carol', metric: 'requests', period: 'day', limit: 10 });
    await s.json('POST', '/api/v1/usage', { records: [record({ user: 'carol', time: '2026-05-10T11:00:00Z' })] }, 'ingest');
    await s.json('POST', '/api/v1/usage', { records: [record({ user: 'carol', time: '2026-05-09T23:59:59Z' })] }, 'ingest');
    const status = await s.json('GET', '/api/v1/quotas/daily/status');
    expect(status.body.windows).toEqual([
      expect.objectContaining({ subject: 'carol', usage: 1, window_start: '2026-05-10T00:00:00.000Z', next_reset: '2026-05-11T00:00:00.000Z' }),
    ]);
    const yesterday = await s.cp.store.windowTotals('day', 'UTC', Date.parse('2026-05-09T00:00:00Z'), 'user');
    expect(yesterday.map((r) => [r.subject, r.requests])).toEqual([['carol', 1]]);
  });

  it('enriches department and org from the directory at ingest', async () => {
    s = await startTestServer();
    await s.json('PUT', '/api/v1/directory/users/dave', { department: 'research', org: 'acme' });
    await s.json('POST', '/api/v1/usage', { records: [record({ user: 'dave' }), record({ user: 'dave', department: 'sales' })] }, 'ingest');
    const byDept = await s.json('GET', '/api/v1/usage?group_by=department');
    expect(byDept.body.groups.map((g: { key: string; requests: number }) => [g.key, g.requests]).sort()).toEqual([['research', 1], ['sales', 1]]);
    const byOrg = await s.json('GET', '/api/v1/usage?group_by=org');
    expect(byOrg.body.groups).toEqual([expect.objectContaining({ key: 'acme', requests: 2 })]);
  });

  it('running totals equal the totals rebuilt from the records; a new time zone is rebuilt from the records', async () => {
    s = await startTestServer();
    const records = Array.from({ length: 300 }, (_, i) => record({
      user: `u${i % 7}`, department: `d${i % 3}`, org: i % 2 ? 'acme' : 'globex', feature: `f${i % 5}`,
      time: new Date(Date.now() - i * 3_600_000).toISOString(), request_model: i % 11 === 0 ? 'unknown-model' : 'gpt-4o-mini',
    }));
    await s.json('POST', '/api/v1/usage', { records: records.slice(0, 150) }, 'ingest');
    await s.json('POST', '/api/v1/usage', { records: records.slice(100) }, 'ingest');
    await expectTotalsEqualRebuilt(s);
    expect(s.cp.timeZones.list()).toEqual(['UTC']);
    await s.json('POST', '/api/v1/quotas', { id: 'tokyo', scope: 'org', subject: '*', metric: 'tokens', period: 'week', timezone: 'Asia/Tokyo', limit: 1e9 });
    expect(s.cp.timeZones.list()).toEqual(['UTC', 'Asia/Tokyo']);
    const tokyo = await s.cp.store.allTotals(['Asia/Tokyo']);
    const monthSum = tokyo.filter((r) => r.period === 'month' && r.scope === 'provider').reduce((a, r) => a + r.requests, 0);
    expect(monthSum).toBe(300);
    await expectTotalsEqualRebuilt(s);
    const status = await s.json('GET', '/api/v1/quotas/tokyo/status');
    expect(status.body.windows.map((w: { subject: string }) => w.subject).sort()).toEqual(['acme', 'globex']);
  });

  it('groups by investigation, session, feature, day and exports CSV and JSON', async () => {
    s = await startTestServer();
    await s.json('POST', '/api/v1/usage', {
      records: [
        record({ investigation: 'inc-1', session: 's1', feature: 'search', time: '2026-02-01T10:00:00Z' }),
        record({ investigation: 'inc-1', session: 's2', feature: 'search', time: '2026-02-01T11:00:00Z' }),
        record({ investigation: 'inc-2', session: 's2', feature: 'chat', time: '2026-02-02T10:00:00Z' }),
      ],
    }, 'ingest');
    const inv = await s.json('GET', '/api/v1/usage?group_by=investigation');
    expect(inv.body.groups.map((g: { key: string; requests: number; cost_usd: string }) => [g.key, g.requests, g.cost_usd])).toEqual([['inc-1', 2, '0.015'], ['inc-2', 1, '0.0075']]);
    const day = await s.json('GET', '/api/v1/usage?group_by=day&from=2026-02-01&to=2026-02-03');
    expect(day.body.groups.map((g: { key: string }) => g.key).sort()).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
    const csv = await (await s.call('GET', '/api/v1/usage/export?format=csv&feature=search')).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]!.startsWith('id,time,org')).toBe(true);
    expect(lines).toHaveLength(3);
    const json = JSON.parse(await (await s.call('GET', '/api/v1/usage/export?format=json&session=s2')).text());
    expect(json.records).toHaveLength(2);
    const page1 = await s.json('GET', '/api/v1/usage?limit=2');
    expect(page1.body.records).toHaveLength(2);
    const page2 = await s.json('GET', `/api/v1/usage?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`);
    expect(page2.body.records).toHaveLength(1);
  });
});
