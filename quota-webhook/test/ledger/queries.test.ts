/**
 * Ledger queries: filters and groups (investigation, session, user, feature,
 * model, period, …), cursor paging, CSV/JSON export; late records; totals
 * rebuilt from the records equal the incremental ones; unknown models are
 * stored and flagged unpriced.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';
import { expectTotalsEqualRebuilt, totalsKey } from '../support/ledger.js';

const NOW = Date.parse('2026-03-15T12:00:00Z');

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** A small ledger: 6 calls across two days, two investigations, sessions, users, features and models. */
const LEDGER = [
  record({ id: 'r1', time: '2026-03-14T09:15:00Z', org: 'acme', department: 'research', user: 'alice', feature: 'search', investigation: 'inc-7', session: 's-a' }),
  record({ id: 'r2', time: '2026-03-14T09:45:00Z', org: 'acme', department: 'research', user: 'alice', feature: 'search', investigation: 'inc-7', session: 's-b', request_model: 'gpt-4o-mini' }),
  record({ id: 'r3', time: '2026-03-14T10:05:00Z', org: 'acme', department: 'sales', user: 'bob', feature: 'chat', session: 's-b', provider: 'anthropic', request_model: 'claude-sonnet-4-5', response_model: 'claude-sonnet-4-5-20250929' }),
  record({ id: 'r4', time: '2026-03-15T08:00:00Z', org: 'globex', user: 'carol', feature: 'chat', investigation: 'inc-8', outcome: 'error', error_type: '429' }),
  record({ id: 'r5', time: '2026-03-15T08:30:00Z', org: 'globex', user: 'carol', feature: 'chat, "quoted"', investigation: 'inc-8', request_model: 'mystery-9000' }),
  record({ id: 'r6', time: '2026-03-15T11:59:59Z', org: 'acme', department: 'research', user: 'alice', feature: 'search', investigation: 'inc-7', session: 's-a' }),
];

async function withLedger(): Promise<TestServer> {
  const t = s = await startTestServer({ now: NOW });
  const res = await t.json('POST', '/api/v1/usage', { records: LEDGER }, 'ingest');
  expect(res.body).toEqual({ accepted: 6, duplicates: 0, unpriced: 1, rejected: [] });
  return t;
}

async function ids(t: TestServer, query: string): Promise<string[]> {
  const res = await t.json('GET', `/api/v1/usage?${query}`, undefined, 'read');
  expect(res.status).toBe(200);
  return res.body.records.map((r: { id: string }) => r.id);
}

interface Group { key: string | null; requests: number; tokens: { total: number; input: number; output: number }; cost_usd: string; unpriced_requests: number }

async function groups(t: TestServer, query: string): Promise<Group[]> {
  const res = await t.json('GET', `/api/v1/usage?${query}`, undefined, 'read');
  expect(res.status).toBe(200);
  return res.body.groups;
}

describe('ledger queries', () => {
  it('filter by every dimension and by time ([from, to), to exclusive)', async () => {
    const t = await withLedger();
    expect(await ids(t, '')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(await ids(t, 'investigation=inc-7')).toEqual(['r1', 'r2', 'r6']);
    expect(await ids(t, 'session=s-b')).toEqual(['r2', 'r3']);
    expect(await ids(t, 'user=carol')).toEqual(['r4', 'r5']);
    expect(await ids(t, 'feature=search')).toEqual(['r1', 'r2', 'r6']);
    expect(await ids(t, `feature=${encodeURIComponent('chat, "quoted"')}`)).toEqual(['r5']);
    expect(await ids(t, 'model=gpt-4o-mini')).toEqual(['r2']);
    expect(await ids(t, 'model=claude-sonnet-4-5-20250929')).toEqual(['r3']); // the response model when known
    expect(await ids(t, 'provider=anthropic')).toEqual(['r3']);
    expect(await ids(t, 'org=globex')).toEqual(['r4', 'r5']);
    expect(await ids(t, 'department=research')).toEqual(['r1', 'r2', 'r6']);
    expect(await ids(t, 'outcome=error')).toEqual(['r4']);
    expect(await ids(t, 'from=2026-03-15')).toEqual(['r4', 'r5', 'r6']);
    expect(await ids(t, `from=2026-03-14T09:45:00Z&to=${encodeURIComponent('2026-03-15T08:00:00Z')}`)).toEqual(['r2', 'r3']);
    expect(await ids(t, `from=${encodeURIComponent('2026-03-14T10:45:00+01:00')}&to=2026-03-15`)).toEqual(['r2', 'r3']);
    expect(await ids(t, 'investigation=inc-7&session=s-a&user=alice')).toEqual(['r1', 'r6']);
    expect(await ids(t, 'user=nobody')).toEqual([]);
  });

  it('a record in the wire shape with the ledger\'s own price and flags', async () => {
    const t = await withLedger();
    const rows = (await t.json('GET', '/api/v1/usage?investigation=inc-8', undefined, 'read')).body.records;
    expect(rows[0]).toEqual({
      id: 'r4', time: '2026-03-15T08:00:00.000Z', org: 'globex', user: 'carol', feature: 'chat', investigation: 'inc-8', provider: 'openai', operation: 'chat',
      request_model: 'gpt-4o', tokens: { input: 1000, output: 500, cache_read: 0, cache_write: 0, reasoning: 0 }, total_tokens: 1500,
      cost_usd: '0.0075', unpriced: false, price_id: 'openai/gpt-4o', outcome: 'error', error_type: '429', latency_ms: 12, source: 'sdk',
    });
    expect(rows[1]).toMatchObject({ id: 'r5', request_model: 'mystery-9000', cost_usd: null, price_id: null, unpriced: true, total_tokens: 1500 });
  });

  it('group by investigation, session, user, feature, model, department, org, provider, day and hour', async () => {
    const t = await withLedger();
    const pairs = async (by: string, extra = ''): Promise<Array<[string | null, number, string, number]>> =>
      (await groups(t, `group_by=${by}${extra}`)).map((g) => [g.key, g.requests, g.cost_usd, g.unpriced_requests]);
    // Ordered by cost, highest first. gpt-4o call 0.0075, gpt-4o-mini 0.00045, claude-sonnet-4-5 (3 / 15 per million) 0.0105.
    expect(await pairs('investigation')).toEqual([['inc-7', 3, '0.01545', 0], [null, 1, '0.0105', 0], ['inc-8', 2, '0.0075', 1]]);
    expect(await pairs('session')).toEqual([['s-a', 2, '0.015', 0], ['s-b', 2, '0.01095', 0], [null, 2, '0.0075', 1]]);
    expect(await pairs('user')).toEqual([['alice', 3, '0.01545', 0], ['bob', 1, '0.0105', 0], ['carol', 2, '0.0075', 1]]);
    expect(await pairs('feature')).toEqual([['chat', 2, '0.018', 0], ['search', 3, '0.01545', 0], ['chat, "quoted"', 1, '0', 1]]);
    expect(await pairs('model')).toEqual([['gpt-4o', 3, '0.0225', 0], ['claude-sonnet-4-5-20250929', 1, '0.0105', 0], ['gpt-4o-mini', 1, '0.00045', 0], ['mystery-9000', 1, '0', 1]]);
    expect(await pairs('department')).toEqual([['research', 3, '0.01545', 0], ['sales', 1, '0.0105', 0], [null, 2, '0.0075', 1]]);
    expect(await pairs('org')).toEqual([['acme', 4, '0.02595', 0], ['globex', 2, '0.0075', 1]]);
    expect(await pairs('provider')).toEqual([['openai', 5, '0.02295', 1], ['anthropic', 1, '0.0105', 0]]);
    expect(await pairs('day')).toEqual([['2026-03-14T00:00:00.000Z', 3, '0.01845', 0], ['2026-03-15T00:00:00.000Z', 3, '0.015', 1]]);
    expect(await pairs('hour', '&from=2026-03-14&to=2026-03-15')).toEqual([['2026-03-14T10:00:00.000Z', 1, '0.0105', 0], ['2026-03-14T09:00:00.000Z', 2, '0.00795', 0]]);
    // Groups with filters, tokens per type, and a limit.
    const inv = await groups(t, 'group_by=user&investigation=inc-7');
    expect(inv).toEqual([{ key: 'alice', requests: 3, tokens: { input: 3000, output: 1500, cache_read: 0, cache_write: 0, reasoning: 0, total: 4500 }, cost_usd: '0.01545', unpriced_requests: 0 }]);
    expect(await groups(t, 'group_by=model&limit=2')).toHaveLength(2);
  });

  it('cursor paging returns every record once, also when many share one timestamp', async () => {
    const t = s = await startTestServer({ now: NOW });
    const records = Array.from({ length: 25 }, (_, i) => record({ id: `same-${String(i).padStart(2, '0')}`, time: '2026-03-10T00:00:00Z' }));
    await t.json('POST', '/api/v1/usage', { records: [...records, record({ id: 'later', time: '2026-03-11T00:00:00Z' })] }, 'ingest');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { records: Array<{ id: string }>; next_cursor: string | null } } = await t.json('GET', `/api/v1/usage?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, 'read');
      seen.push(...res.body.records.map((r) => r.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(4);
    expect(seen).toEqual([...records.map((r) => r.id as string), 'later']);
  });

  it('exports CSV (quoted where needed) and JSON, filtered, with the unpriced flag', async () => {
    const t = await withLedger();
    const csvRes = await t.call('GET', '/api/v1/usage/export?format=csv&org=globex', { token: 'read' });
    expect(csvRes.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csvRes.headers.get('content-disposition')).toBe('attachment; filename="tokenmeter-usage.csv"');
    const lines = (await csvRes.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('id,time,org,department,user,feature,project,investigation,session,provider,operation,request_model,response_model,service_tier,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced,price_id,sender_cost_usd,outcome,error_type,latency_ms,source,service,stream,prefix_hash,request_hash,prefix_tokens,max_output_tokens,finish_reason');
    expect(lines.slice(1)).toEqual([
      'r4,2026-03-15T08:00:00.000Z,globex,,carol,chat,,inc-8,,openai,chat,gpt-4o,,,1000,500,0,0,0,1500,0.0075,false,openai/gpt-4o,,error,429,12,sdk,,,,,,,',
      'r5,2026-03-15T08:30:00.000Z,globex,,carol,"chat, ""quoted""",,inc-8,,openai,chat,mystery-9000,,,1000,500,0,0,0,1500,,true,,,ok,,12,sdk,,,,,,,',
    ]);
    // CSV is the default format.
    expect((await (await t.call('GET', '/api/v1/usage/export?investigation=inc-7', { token: 'read' })).text()).trimEnd().split('\n')).toHaveLength(4);

    const jsonRes = await t.call('GET', '/api/v1/usage/export?format=json&from=2026-03-15', { token: 'read' });
    expect(jsonRes.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await jsonRes.json()) as { records: Array<{ id: string; unpriced: boolean; cost_usd: string | null }> };
    expect(body.records.map((r) => [r.id, r.unpriced, r.cost_usd])).toEqual([['r4', false, '0.0075'], ['r5', true, null], ['r6', false, '0.0075']]);
    const empty = await (await t.call('GET', '/api/v1/usage/export?format=json&user=nobody', { token: 'read' })).json();
    expect(empty).toEqual({ records: [] });
  });

  it('exports more records than one page, in order', async () => {
    const t = s = await startTestServer({ now: NOW, config: { maxBatchRecords: 5000 } });
    const records = Array.from({ length: 4500 }, (_, i) => record({ id: `bulk-${String(i).padStart(5, '0')}`, time: new Date(Date.parse('2026-03-01T00:00:00Z') + i * 1000).toISOString() }));
    await t.json('POST', '/api/v1/usage', { records }, 'ingest');
    const body = (await (await t.call('GET', '/api/v1/usage/export?format=json', { token: 'read' })).json()) as { records: Array<{ id: string }> };
    expect(body.records.map((r) => r.id)).toEqual(records.map((r) => r.id));
    const csv = (await (await t.call('GET', '/api/v1/usage/export', { token: 'read' })).text()).trimEnd().split('\n');
    expect(csv).toHaveLength(4501);
  });

  it('queries and exports need the read (or admin) token', async () => {
    const t = await withLedger();
    expect((await t.call('GET', '/api/v1/usage/export', { token: 'ingest' })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/usage?group_by=user', { token: 'alertmanager' })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/usage/export', { token: null })).status).toBe(401);
  });
});

describe('ledger totals', () => {
  it('a late record counts in the window of its own timestamp, for every period and zone in use', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'hourly', scope: 'user', subject: 'alice', metric: 'requests', period: 'hour', limit: 10 });
    await t.json('POST', '/api/v1/quotas', { id: 'monthly-ny', scope: 'user', subject: 'alice', metric: 'requests', period: 'month', timezone: 'America/New_York', limit: 10 });
    await t.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', time: '2026-03-15T11:30:00Z' })] }, 'ingest');
    // Arrives now (12:00), made at 11:59:59: the 11:00 hour, not the current one.
    t.clock.now = Date.parse('2026-03-15T12:00:30Z');
    await t.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', time: '2026-03-15T11:59:59Z' })] }, 'ingest');
    // Arrives in March, made on February 28 at 23:00 in New York (= March 1, 04:00 UTC): February in New York.
    await t.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', time: '2026-03-01T04:00:00Z' })] }, 'ingest');
    const hourly = (await t.json('GET', '/api/v1/quotas/hourly/status', undefined, 'read')).body.windows[0];
    expect(hourly).toMatchObject({ usage: 0, window_start: '2026-03-15T12:00:00.000Z' });
    const previousHour = await t.cp.store.windowTotals('hour', 'UTC', Date.parse('2026-03-15T11:00:00Z'), 'user');
    expect(previousHour.map((r) => [r.subject, r.requests])).toEqual([['alice', 2]]);
    expect((await t.json('GET', '/api/v1/quotas/monthly-ny/status', undefined, 'read')).body.windows[0].usage).toBe(2);
    const febNy = await t.cp.store.windowTotals('month', 'America/New_York', Date.parse('2026-02-01T05:00:00Z'), 'user');
    expect(febNy.map((r) => [r.subject, r.requests])).toEqual([['alice', 1]]);
    // In UTC the same record is March.
    const marUtc = await t.cp.store.windowTotals('month', 'UTC', Date.parse('2026-03-01T00:00:00Z'), 'user');
    expect(marUtc.map((r) => [r.subject, r.requests])).toEqual([['alice', 3]]);
    await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
  });

  it('totals rebuilt from the records equal the incremental totals, across batches, replays, zones and unpriced records', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'tz1', scope: 'org', subject: '*', metric: 'cost', period: 'week', timezone: 'Australia/Lord_Howe', limit: 1 });
    await t.json('POST', '/api/v1/quotas', { id: 'tz2', scope: 'user', subject: '*', metric: 'tokens', period: 'day', timezone: 'Asia/Kathmandu', limit: 1 });
    const records = Array.from({ length: 400 }, (_, i) => record({
      user: `u${i % 9}`, department: i % 4 === 0 ? undefined : `d${i % 3}`, org: `o${i % 2}`, feature: i % 5 === 0 ? undefined : `f${i % 5}`,
      provider: i % 3 === 0 ? 'anthropic' : 'openai', request_model: i % 3 === 0 ? 'claude-haiku-4-5' : i % 13 === 0 ? 'unknown' : 'gpt-4o-mini',
      time: new Date(NOW - i * 7_919_000).toISOString(), // ~2.2 h apart, back over five weeks and a DST change
      tokens: { input: 100 + i, output: 50 + (i % 17), cache_read: i % 7, cache_write: i % 3, reasoning: i % 5 },
    }));
    // Out of order, overlapping batches, one replayed whole.
    await t.json('POST', '/api/v1/usage', { records: records.slice(200) }, 'ingest');
    await t.json('POST', '/api/v1/usage', { records: records.slice(0, 250) }, 'ingest');
    const replay = await t.json('POST', '/api/v1/usage', { records: records.slice(100, 300) }, 'ingest');
    expect(replay.body).toMatchObject({ accepted: 0, duplicates: 200 });
    expect(await t.cp.store.countRecords()).toBe(400);
    const incremental = totalsKey(await t.cp.store.allTotals());
    await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
    // The admin endpoint does the same, audited.
    const res = await t.json('POST', '/api/v1/admin/rebuild-totals', undefined);
    expect(res.status).toBe(200);
    expect(res.body.records).toBe(400);
    expect(totalsKey(await t.cp.store.allTotals())).toEqual(incremental);
    expect((await t.json('GET', '/api/v1/audit?kind=ledger', undefined, 'read')).body.entries.map((e: { action: string }) => e.action)).toEqual(['rebuild-totals']);
    // Sum checks against the records themselves: every record once in each (period, zone) of the provider scope.
    const all = await t.cp.store.allTotals();
    for (const tz of ['UTC', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      for (const period of ['hour', 'day', 'week', 'month']) {
        const rows = all.filter((r) => r.tz === tz && r.period === period && r.scope === 'provider');
        expect(rows.reduce((a, r) => a + r.requests, 0)).toBe(400);
      }
    }
  });

  it('ingest racing a rebuild (a new zone) leaves totals equal to the records', async () => {
    const t = s = await startTestServer({ now: NOW });
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 50 }, (_, i) => record({ user: `u${i % 5}`, time: new Date(NOW - (b * 50 + i) * 60_000).toISOString() })));
    const ingests = batches.map((records) => t.json('POST', '/api/v1/usage', { records }, 'ingest'));
    const quota = t.json('POST', '/api/v1/quotas', { id: 'late-zone', scope: 'user', subject: '*', metric: 'requests', period: 'day', timezone: 'Pacific/Chatham', limit: 1e6 });
    const results = await Promise.all([...ingests, quota]);
    expect(results.every((r) => r.status < 300)).toBe(true);
    expect(await t.cp.store.countRecords()).toBe(1000);
    const chatham = (await t.cp.store.allTotals(['Pacific/Chatham'])).filter((r) => r.scope === 'user' && r.period === 'month');
    expect(chatham.reduce((a, r) => a + r.requests, 0)).toBe(1000);
    await expectTotalsEqualRebuilt(t.cp.store, () => t.cp.ledger.rebuildTotals());
  });

  it('records of unknown models are stored, flagged unpriced and counted in tokens and requests, not dropped', async () => {
    const t = s = await startTestServer({ now: NOW });
    const res = await t.json('POST', '/api/v1/usage', {
      records: [
        record({ id: 'u1', user: 'zed', request_model: 'brand-new-model', cost_usd: '1.5', time: '2026-03-15T10:00:00Z' }),
        record({ id: 'u2', user: 'zed', provider: 'some-new-provider', request_model: 'x', time: '2026-03-15T10:00:01Z' }),
        record({ id: 'u3', user: 'zed', request_model: undefined, time: '2026-03-15T10:00:02Z' }),
      ],
    }, 'ingest');
    expect(res.body).toEqual({ accepted: 3, duplicates: 0, unpriced: 3, rejected: [] });
    const rows = (await t.json('GET', '/api/v1/usage?user=zed', undefined, 'read')).body.records;
    expect(rows.map((r: { id: string; unpriced: boolean; cost_usd: null; sender_cost_usd?: string }) => [r.id, r.unpriced, r.cost_usd, r.sender_cost_usd])).toEqual([
      ['u1', true, null, '1.5'], ['u2', true, null, undefined], ['u3', true, null, undefined],
    ]);
    const g = await groups(t, 'group_by=user');
    expect(g).toEqual([expect.objectContaining({ key: 'zed', requests: 3, unpriced_requests: 3, cost_usd: '0' })]);
    const day = (await t.cp.store.windowTotals('day', 'UTC', Date.parse('2026-03-15T00:00:00Z'), 'user')).find((r) => r.subject === 'zed')!;
    expect(day).toMatchObject({ requests: 3, tokens: 4500n, cost_pico: 0n });
    // A price added later and a re-pricing turn them into priced records.
    await t.json('POST', '/api/v1/prices', { provider: 'openai', model_pattern: 'brand-new-model', effective_from: '2026-01-01', prices: { input: '1', output: '1' } });
    const rp = await t.json('POST', '/api/v1/prices/reprice', { from: '2026-03-01', to: '2026-04-01', reason: 'price published' });
    expect(rp.body).toMatchObject({ changed: 1, cost_delta_usd: '0.0015' });
    expect((await t.json('GET', '/api/v1/usage?user=zed', undefined, 'read')).body.records[0]).toMatchObject({ id: 'u1', unpriced: false, cost_usd: '0.0015' });
  });
});
