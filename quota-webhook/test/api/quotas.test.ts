/**
 * The quota API: every scope, "*" subjects with overrides, the three metrics,
 * calendar periods in IANA time zones (DST included), thresholds, and each
 * quota's current usage, utilisation and next reset. Budgets are soft cost
 * quotas with their own resource.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';

// Sunday 2026-03-15 12:30 UTC = 08:30 in New York (EDT since 2026-03-08) = 13:30 in Berlin (CET).
const NOW = Date.parse('2026-03-15T12:30:00Z');

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

interface Window { subject: string; limit: number; usage: number; utilization: number; usage_usd?: string; limit_usd?: string; window_start: string; next_reset: string }

async function status(t: TestServer, id: string): Promise<{ quota_id: string; metric: string; period: string; timezone: string; enforcement: string; windows: Window[] }> {
  const res = await t.json('GET', `/api/v1/quotas/${id}/status`, undefined, 'read');
  expect(res.status).toBe(200);
  return res.body;
}

async function ingest(t: TestServer, records: Array<Record<string, unknown>>): Promise<void> {
  const res = await t.json('POST', '/api/v1/usage', { records }, 'ingest');
  expect(res.status).toBe(200);
  expect(res.body.accepted).toBe(records.length);
}

describe('quotas: scopes, subjects, metrics', () => {
  it('a quota of every scope counts exactly the records attributed to its subject', async () => {
    const t = s = await startTestServer({ now: NOW });
    const base = { metric: 'requests', period: 'month', limit: 10 };
    for (const [scope, subject] of [['org', 'acme'], ['department', 'research'], ['user', 'alice'], ['feature', 'search'], ['provider', 'anthropic']] as const) {
      const res = await t.json('POST', '/api/v1/quotas', { id: `q-${scope}`, scope, subject, ...base });
      expect(res.status).toBe(201);
    }
    const at = '2026-03-10T00:00:00Z';
    await ingest(t, [
      record({ time: at, org: 'acme', department: 'research', user: 'alice', feature: 'search' }),
      record({ time: at, org: 'acme', department: 'research', user: 'bob', feature: 'chat' }),
      record({ time: at, org: 'acme', department: 'sales', user: 'alice' }),
      record({ time: at, org: 'globex', feature: 'search', provider: 'anthropic', request_model: 'claude-sonnet-4-5' }),
      record({ time: at, provider: 'anthropic', request_model: 'claude-sonnet-4-5' }),
    ]);
    const usage = async (id: string): Promise<number> => (await status(t, id)).windows[0]!.usage;
    expect(await usage('q-org')).toBe(3);
    expect(await usage('q-department')).toBe(2);
    expect(await usage('q-user')).toBe(2);
    expect(await usage('q-feature')).toBe(2);
    expect(await usage('q-provider')).toBe(2);
    expect((await status(t, 'q-user')).windows[0]).toEqual({
      subject: 'alice', limit: 10, usage: 2, utilization: 0.2, window_start: '2026-03-01T00:00:00.000Z', next_reset: '2026-04-01T00:00:00.000Z',
    });
  });

  it('metric cost (exact USD), tokens and requests', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'cost', scope: 'user', subject: 'alice', metric: 'cost', period: 'day', limit: 0.03 });
    await t.json('POST', '/api/v1/quotas', { id: 'tokens', scope: 'user', subject: 'alice', metric: 'tokens', period: 'day', limit: 6000 });
    await t.json('POST', '/api/v1/quotas', { id: 'requests', scope: 'user', subject: 'alice', metric: 'requests', period: 'day', limit: 4 });
    await ingest(t, [
      record({ user: 'alice', time: '2026-03-15T01:00:00Z' }), // 1500 tokens, 0.0075 USD
      record({ user: 'alice', time: '2026-03-15T02:00:00Z', tokens: { input: 100, output: 0, cache_read: 1000, cache_write: 0, reasoning: 0 } }), // 1100 tokens, 0.00025 + 0.00125 = 0.0015
      record({ user: 'alice', time: '2026-03-15T03:00:00Z', request_model: 'no-such-model' }), // unpriced: counts in tokens and requests, not in cost
    ]);
    expect((await status(t, 'cost')).windows[0]).toMatchObject({ usage: 0.009, usage_usd: '0.009', limit_usd: '0.03', utilization: 0.3 });
    expect((await status(t, 'tokens')).windows[0]).toMatchObject({ usage: 4100, utilization: 0.683333 });
    expect((await status(t, 'requests')).windows[0]).toMatchObject({ usage: 3, utilization: 0.75 });
    expect((await status(t, 'tokens')).windows[0]!.usage_usd).toBeUndefined();
  });

  it('subject "*" shows every subject of the scope with its own window; overrides set per-subject limits', async () => {
    const t = s = await startTestServer({ now: NOW });
    const res = await t.json('POST', '/api/v1/quotas', { id: 'per-user', scope: 'user', subject: '*', overrides: { bob: 2, carol: 50 }, metric: 'requests', period: 'week', limit: 10, enforcement: 'hard' });
    expect(res.body).toMatchObject({ subject: '*', overrides: { bob: 2, carol: 50 }, enforcement: 'hard' });
    await ingest(t, [
      ...Array.from({ length: 3 }, () => record({ user: 'alice', time: '2026-03-12T10:00:00Z' })),
      ...Array.from({ length: 3 }, () => record({ user: 'bob', time: '2026-03-13T10:00:00Z' })),
      record({ user: 'constructor', time: '2026-03-13T10:00:00Z' }), // not an override, whatever Object.prototype says
      record({ time: '2026-03-13T10:00:00Z' }), // no user: in no user's window
    ]);
    const st = await status(t, 'per-user');
    expect(st.windows.map((w) => [w.subject, w.limit, w.usage, w.utilization])).toEqual([['alice', 10, 3, 0.3], ['bob', 2, 3, 1.5], ['constructor', 10, 1, 0.1]]);
    // ISO weeks start on Monday.
    expect(st.windows[0]).toMatchObject({ window_start: '2026-03-09T00:00:00.000Z', next_reset: '2026-03-16T00:00:00.000Z' });
  });

  it('an org-restricted quota counts only that organisation', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'acme-research', scope: 'department', subject: 'research', org: 'acme', metric: 'requests', period: 'month', limit: 5 });
    await t.json('POST', '/api/v1/quotas', { id: 'acme-depts', scope: 'department', subject: '*', org: 'acme', metric: 'requests', period: 'month', limit: 5 });
    await ingest(t, [
      record({ org: 'acme', department: 'research', time: '2026-03-02T00:00:00Z' }),
      record({ org: 'globex', department: 'research', time: '2026-03-02T00:00:00Z' }),
      record({ org: 'globex', department: 'legal', time: '2026-03-02T00:00:00Z' }),
    ]);
    expect((await status(t, 'acme-research')).windows[0]!.usage).toBe(1);
    expect((await status(t, 'acme-depts')).windows.map((w) => [w.subject, w.usage])).toEqual([['research', 1]]);
  });
});

describe('quotas: periods in IANA time zones', () => {
  it('hour, day, week and month windows and next resets follow the quota\'s zone, across DST', async () => {
    const t = s = await startTestServer({ now: NOW });
    for (const period of ['hour', 'day', 'week', 'month']) {
      await t.json('POST', '/api/v1/quotas', { id: `ny-${period}`, scope: 'org', subject: 'acme', metric: 'requests', period, timezone: 'America/New_York', limit: 100 });
    }
    await ingest(t, [
      record({ org: 'acme', time: '2026-03-01T04:59:59Z' }), // Feb 28, 23:59:59 EST: not March in New York
      record({ org: 'acme', time: '2026-03-01T05:00:00Z' }), // March 1, 00:00 EST
      record({ org: 'acme', time: '2026-03-09T03:59:59Z' }), // Sunday March 8, 23:59:59 EDT: the previous week
      record({ org: 'acme', time: '2026-03-09T04:00:00Z' }), // Monday March 9, 00:00 EDT
      record({ org: 'acme', time: '2026-03-15T03:59:00Z' }), // Saturday March 14 local
      record({ org: 'acme', time: '2026-03-15T04:00:00Z' }), // Sunday March 15, 00:00 EDT
      record({ org: 'acme', time: '2026-03-15T12:00:00Z' }), // 08:00 EDT: this hour
      record({ org: 'acme', time: '2026-03-15T11:59:59Z' }), // 07:59:59: the previous hour
    ]);
    const w = async (id: string): Promise<Window> => (await status(t, id)).windows[0]!;
    expect(await w('ny-hour')).toMatchObject({ usage: 1, window_start: '2026-03-15T12:00:00.000Z', next_reset: '2026-03-15T13:00:00.000Z' });
    expect(await w('ny-day')).toMatchObject({ usage: 3, window_start: '2026-03-15T04:00:00.000Z', next_reset: '2026-03-16T04:00:00.000Z' });
    expect(await w('ny-week')).toMatchObject({ usage: 5, window_start: '2026-03-09T04:00:00.000Z', next_reset: '2026-03-16T04:00:00.000Z' });
    // March began in EST (UTC-5) and April begins in EDT (UTC-4).
    expect(await w('ny-month')).toMatchObject({ usage: 7, window_start: '2026-03-01T05:00:00.000Z', next_reset: '2026-04-01T04:00:00.000Z' });
    expect((await status(t, 'ny-month')).timezone).toBe('America/New_York');
  });

  it('a zone with a half-hour offset, and a quota moved to another zone, rebuild their totals from the records', async () => {
    const t = s = await startTestServer({ now: NOW });
    await ingest(t, [record({ user: 'u', time: '2026-03-14T18:45:00Z' }), record({ user: 'u', time: '2026-03-14T18:15:00Z' })]);
    // Kolkata is UTC+5:30: its March 15 began at 2026-03-14T18:30Z. Both records predate the quota.
    const res = await t.json('POST', '/api/v1/quotas', { id: 'kolkata', scope: 'user', subject: 'u', metric: 'requests', period: 'day', timezone: 'Asia/Kolkata', limit: 5 });
    expect(res.status).toBe(201);
    expect((await status(t, 'kolkata')).windows[0]).toMatchObject({ usage: 1, window_start: '2026-03-14T18:30:00.000Z', next_reset: '2026-03-15T18:30:00.000Z' });
    const moved = await t.json('PATCH', '/api/v1/quotas/kolkata', { timezone: 'Pacific/Kiritimati' }); // UTC+14
    expect(moved.body.timezone).toBe('Pacific/Kiritimati');
    expect((await status(t, 'kolkata')).windows[0]).toMatchObject({ usage: 0, window_start: '2026-03-15T10:00:00.000Z' });
    expect(t.cp.timeZones.list()).toEqual(['UTC', 'Asia/Kolkata', 'Pacific/Kiritimati']);
  });
});

describe('quotas: the resource', () => {
  it('defaults (UTC, soft, 80/90/100 %), configurable thresholds kept sorted, and the audit trail', async () => {
    const t = s = await startTestServer({ now: NOW });
    const created = await t.json('POST', '/api/v1/quotas', { scope: 'feature', subject: 'search', metric: 'tokens', period: 'day', limit: 1000 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ timezone: 'UTC', enforcement: 'soft', thresholds: [0.8, 0.9, 1], created_at: new Date(NOW).toISOString() });
    expect(created.body.id).toMatch(/^quota-[0-9a-f-]{36}$/);
    const custom = await t.json('POST', '/api/v1/quotas', { id: 'custom', name: 'Search budget', scope: 'feature', subject: 'search', metric: 'tokens', period: 'day', limit: 1000, thresholds: [1.2, 0.5, 1] });
    expect(custom.body.thresholds).toEqual([0.5, 1, 1.2]);
    expect((await t.json('GET', '/api/v1/quotas/custom', undefined, 'read')).body).toEqual(custom.body);
    const list = await t.json('GET', '/api/v1/quotas', undefined, 'read');
    expect(list.body.quotas.map((q: { id: string }) => q.id).sort()).toEqual([created.body.id, 'custom'].sort());
    const trail = (await t.json('GET', '/api/v1/audit?kind=quota', undefined, 'read')).body.entries;
    expect(trail.map((e: { action: string; subject: string; actor: string }) => [e.action, e.subject, e.actor])).toEqual([['create', created.body.id, 'admin'], ['create', 'custom', 'admin']]);
  });

  it('PUT creates (201) then replaces (200); PATCH changes fields (null removes); DELETE; conflicts and unknown ids', async () => {
    const t = s = await startTestServer({ now: NOW });
    const body = { scope: 'user', subject: 'alice', metric: 'cost', period: 'month', limit: 5, overrides: undefined, name: 'first' };
    expect((await t.json('PUT', '/api/v1/quotas/q1', body)).status).toBe(201);
    t.clock.now = NOW + 1000;
    const replaced = await t.json('PUT', '/api/v1/quotas/q1', { ...body, limit: 7 });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ limit: 7, created_at: new Date(NOW).toISOString(), updated_at: new Date(NOW + 1000).toISOString() });
    const patched = await t.json('PATCH', '/api/v1/quotas/q1', { name: null, enforcement: 'hard', thresholds: [1, 0.5] });
    expect(patched.body).toMatchObject({ limit: 7, enforcement: 'hard', thresholds: [0.5, 1] });
    expect(patched.body.name).toBeUndefined();
    expect((await t.json('POST', '/api/v1/quotas', { ...body, id: 'q1' })).status).toBe(409);
    expect((await t.json('PUT', '/api/v1/quotas/q1', { ...body, id: 'q2' })).body.error.details).toEqual([{ path: 'id', message: 'must match the path' }]);
    expect((await t.json('PATCH', '/api/v1/quotas/nope', { limit: 1 })).status).toBe(404);
    expect((await t.json('GET', '/api/v1/quotas/nope/status', undefined, 'read')).status).toBe(404);
    expect((await t.call('DELETE', '/api/v1/quotas/q1')).status).toBe(204);
    expect((await t.call('DELETE', '/api/v1/quotas/q1')).status).toBe(404);
    expect((await t.json('GET', '/api/v1/quotas/q1', undefined, 'read')).status).toBe(404);
    const actions = (await t.json('GET', '/api/v1/audit?kind=quota', undefined, 'read')).body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['create', 'update', 'update', 'delete']);
  });

  it('quotas survive a restart on the same database', async () => {
    const t = s = await startTestServer({ now: NOW, dbFile: true });
    await t.json('POST', '/api/v1/quotas', { id: 'keep', scope: 'org', subject: 'acme', metric: 'cost', period: 'day', timezone: 'Asia/Tokyo', limit: 3 });
    await ingest(t, [record({ org: 'acme', time: '2026-03-15T10:00:00Z' })]);
    const before = await status(t, 'keep');
    await t.close();
    const { startServer } = await import('../../src/index.js');
    const again = await startServer({ config: t.cp.config, clock: () => NOW, onError: () => {} });
    try {
      expect(again.cp.quotaSet.quotas.get('keep')).toMatchObject({ timezone: 'Asia/Tokyo', limit: 3 });
      expect(again.cp.timeZones.list()).toEqual(['UTC', 'Asia/Tokyo']);
      const [st] = await again.cp.quotaSet.evaluate([again.cp.quotaSet.quotas.get('keep')!]);
      expect(st!.windows[0]!.usage).toBe(before.windows[0]!.usage);
    } finally {
      await again.close();
    }
  });
});

describe('quotas: status of every quota at once', () => {
  it('GET /quotas?status=true and /budgets?status=true carry each one\'s usage, utilisation and next reset', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'a', scope: 'user', subject: 'alice', metric: 'requests', period: 'day', limit: 4 });
    await t.json('POST', '/api/v1/quotas', { id: 'b', scope: 'user', subject: '*', metric: 'tokens', period: 'hour', timezone: 'Asia/Kolkata', limit: 3000 });
    await t.json('POST', '/api/v1/budgets', { id: 'budget-x', scope: 'user', subject: 'alice', amount: 0.03 });
    await ingest(t, [record({ user: 'alice', time: '2026-03-15T12:30:00Z' })]);
    const plain = await t.json('GET', '/api/v1/quotas', undefined, 'read');
    expect(plain.body.quotas.every((q: { status?: unknown }) => q.status === undefined)).toBe(true);
    const list = (await t.json('GET', '/api/v1/quotas?status=true', undefined, 'read')).body.quotas;
    const byId = Object.fromEntries(list.map((q: { id: string; status: { windows: Window[] } }) => [q.id, q.status.windows]));
    expect(byId.a).toEqual([{ subject: 'alice', limit: 4, usage: 1, utilization: 0.25, window_start: '2026-03-15T00:00:00.000Z', next_reset: '2026-03-16T00:00:00.000Z' }]);
    // Kolkata hours start at :30 UTC.
    expect(byId.b).toEqual([{ subject: 'alice', limit: 3000, usage: 1500, utilization: 0.5, window_start: '2026-03-15T12:30:00.000Z', next_reset: '2026-03-15T13:30:00.000Z' }]);
    const budgets = (await t.json('GET', '/api/v1/budgets?status=true', undefined, 'read')).body.budgets;
    expect(budgets[0].status.windows[0]).toMatchObject({ subject: 'alice', usage: 0.0075, usage_usd: '0.0075', utilization: 0.25 });
    expect((await t.json('GET', '/api/v1/quotas?status=yes', undefined, 'read')).body.error.details[0].path).toBe('status');
  });
});

describe('budgets', () => {
  it('are soft monthly cost quotas: status through /quotas/{id}/status, never blocking', async () => {
    const t = s = await startTestServer({ now: NOW });
    const created = await t.json('POST', '/api/v1/budgets', { scope: 'department', subject: 'research', amount: 0.01 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ period: 'month', timezone: 'UTC', amount: 0.01, limit: 0.01, metric: 'cost', enforcement: 'soft', thresholds: [0.8, 0.9, 1] });
    expect(created.body.id).toMatch(/^budget-/);
    await ingest(t, [record({ department: 'research', time: '2026-03-03T00:00:00Z' })]);
    expect((await status(t, created.body.id)).windows[0]).toMatchObject({ usage: 0.0075, utilization: 0.75, next_reset: '2026-04-01T00:00:00.000Z' });
    expect((await t.json('GET', '/api/v1/budgets', undefined, 'read')).body.budgets).toHaveLength(1);
    expect((await t.json('PUT', '/api/v1/budgets/monthly', { scope: 'org', subject: 'acme', amount: 1 })).body.error.details).toEqual([{ path: 'id', message: 'must start with "budget-"' }]);
    const both = await t.json('POST', '/api/v1/budgets', { scope: 'org', subject: 'acme', amount: 1, limit: 1 });
    expect(both.body.error.details).toEqual([{ path: 'amount', message: 'give exactly one of "amount" or "limit" (USD per period)' }]);
    // Quota and budget ids share one namespace (/quotas/{id}/status serves both).
    await t.json('POST', '/api/v1/quotas', { id: 'budget-q', scope: 'org', subject: 'acme', metric: 'requests', period: 'day', limit: 1 });
    expect((await t.json('POST', '/api/v1/budgets', { id: 'budget-q', scope: 'org', subject: 'acme', amount: 1 })).status).toBe(409);
    expect((await t.json('PUT', '/api/v1/budgets/budget-q', { scope: 'org', subject: 'acme', amount: 1 })).status).toBe(409);
    expect((await t.json('POST', '/api/v1/quotas', { id: created.body.id, scope: 'org', subject: 'acme', metric: 'requests', period: 'day', limit: 1 })).status).toBe(409);
    expect((await t.call('DELETE', `/api/v1/budgets/${created.body.id}`)).status).toBe(204);
    expect((await t.json('GET', `/api/v1/budgets/${created.body.id}`, undefined, 'read')).status).toBe(404);
  });
});
