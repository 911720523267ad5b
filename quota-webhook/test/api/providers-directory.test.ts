/** Providers per organisation (enabled, priority, hourly/daily limits) and the directory (user → department → organisation). */
import { afterEach, describe, expect, it } from 'vitest';
import { record, startTestServer, type TestServer } from '../helpers.js';

const NOW = Date.parse('2026-03-15T12:30:00Z');

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('providers', () => {
  it('per org: set, list with exact usage, replace, delete; audited', async () => {
    const t = s = await startTestServer({ now: NOW });
    const put = await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, priority: 1, limits: { hourly_requests: 100, hourly_tokens: 50_000, daily_requests: 1000, daily_tokens: 1_000_000 } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      org: 'acme', provider: 'openai', enabled: true, priority: 1,
      limits: { hourly_requests: 100, hourly_tokens: 50_000, daily_requests: 1000, daily_tokens: 1_000_000 }, updated_at: new Date(NOW).toISOString(),
    });
    await t.json('PUT', '/api/v1/providers/globex/openai', { enabled: false });
    await t.json('POST', '/api/v1/usage', { records: [record({ org: 'acme', time: '2026-03-15T12:01:00Z' }), record({ org: 'globex', time: '2026-03-15T12:02:00Z' })] }, 'ingest');
    const list = (await t.json('GET', '/api/v1/providers', undefined, 'read')).body.providers;
    expect(list.map((p: { org: string; enabled: boolean; priority: number; usage: { hour_requests: number } }) => [p.org, p.enabled, p.priority, p.usage.hour_requests]))
      .toEqual([['acme', true, 1, 1], ['globex', false, 0, 1]]);
    // Replacing drops limits not sent.
    const replaced = await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, priority: 2 });
    expect(replaced.body.limits).toEqual({});
    expect((await t.call('DELETE', '/api/v1/providers/globex/openai')).status).toBe(204);
    expect((await t.call('DELETE', '/api/v1/providers/globex/openai')).status).toBe(404);
    expect((await t.json('GET', '/api/v1/providers', undefined, 'read')).body.providers.map((p: { org: string }) => p.org)).toEqual(['acme']);
    const trail = (await t.json('GET', '/api/v1/audit?kind=provider', undefined, 'read')).body.entries;
    expect(trail.map((e: { action: string; subject: string }) => [e.action, e.subject])).toEqual([['put', 'acme/openai'], ['put', 'globex/openai'], ['put', 'acme/openai'], ['delete', 'globex/openai']]);
  });

  it('rejects negative or fractional limits, unknown fields and a missing enabled, naming the field; nothing stored', async () => {
    const t = s = await startTestServer({ now: NOW });
    const neg = await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, limits: { hourly_requests: -1, daily_tokens: 1.5 } });
    expect(neg.status).toBe(400);
    expect(neg.body.error.details).toEqual([
      { path: 'limits.hourly_requests', message: 'must be >= 0' },
      { path: 'limits.daily_tokens', message: 'must be an integer' },
    ]);
    const unknown = await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, limits: { monthly_requests: 5 }, weight: 3 });
    expect(unknown.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['limits.monthly_requests', 'weight']);
    const missing = await t.json('PUT', '/api/v1/providers/acme/openai', { priority: 1 });
    expect(missing.body.error.details).toEqual([{ path: 'enabled', message: 'Invalid input: expected boolean, received undefined' }]);
    expect(t.cp.providers.size).toBe(0);
    expect((await t.json('GET', '/api/v1/audit?kind=provider', undefined, 'read')).body.entries).toEqual([]);
  });

  it('writes need the admin token', async () => {
    const t = s = await startTestServer({ now: NOW });
    expect((await t.call('PUT', '/api/v1/providers/acme/openai', { token: 'read', body: { enabled: true } })).status).toBe(403);
    expect((await t.call('PUT', '/api/v1/providers/acme/openai', { token: 'ingest', body: { enabled: true } })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/providers', { token: 'ingest' })).status).toBe(403);
  });
});

describe('directory', () => {
  it('user → department → org: set, read, enrich records at ingest, delete; audited', async () => {
    const t = s = await startTestServer({ now: NOW });
    const put = await t.json('PUT', '/api/v1/directory/users/alice', { department: 'research', org: 'acme' });
    expect(put.body).toEqual({ user: 'alice', department: 'research', org: 'acme', updated_at: new Date(NOW).toISOString() });
    await t.json('PUT', '/api/v1/directory/users/bob', { org: 'acme' });
    expect((await t.json('GET', '/api/v1/directory', undefined, 'ingest')).body.users.map((u: { user: string }) => u.user).sort()).toEqual(['alice', 'bob']);
    expect((await t.json('GET', '/api/v1/directory/users/alice', undefined, 'read')).body.department).toBe('research');
    expect((await t.json('GET', '/api/v1/directory/users/nobody', undefined, 'read')).status).toBe(404);

    // Enrichment fills only what the record lacks; a department quota then counts the user's calls.
    await t.json('POST', '/api/v1/quotas', { id: 'research', scope: 'department', subject: 'research', metric: 'requests', period: 'day', limit: 10 });
    await t.json('POST', '/api/v1/usage', {
      records: [
        record({ id: 'a1', user: 'alice', time: '2026-03-15T10:00:00Z' }),
        record({ id: 'a2', user: 'alice', department: 'sales', time: '2026-03-15T10:00:00Z' }),
        record({ id: 'b1', user: 'bob', time: '2026-03-15T10:00:00Z' }),
      ],
    }, 'ingest');
    const rows = (await t.json('GET', '/api/v1/usage', undefined, 'read')).body.records;
    expect(Object.fromEntries(rows.map((r: { id: string; org?: string; department?: string }) => [r.id, [r.org, r.department]]))).toEqual({
      a1: ['acme', 'research'], a2: ['acme', 'sales'], b1: ['acme', undefined],
    });
    expect((await t.json('GET', '/api/v1/quotas/research/status', undefined, 'read')).body.windows[0].usage).toBe(1);

    expect((await t.call('DELETE', '/api/v1/directory/users/bob')).status).toBe(204);
    expect((await t.call('DELETE', '/api/v1/directory/users/bob')).status).toBe(404);
    const trail = (await t.json('GET', '/api/v1/audit?kind=directory', undefined, 'read')).body.entries;
    expect(trail.map((e: { action: string; subject: string }) => [e.action, e.subject])).toEqual([['put', 'alice'], ['put', 'bob'], ['delete', 'bob']]);
  });

  it('rejects unknown fields and empty names; writes need the admin token', async () => {
    const t = s = await startTestServer({ now: NOW });
    const bad = await t.json('PUT', '/api/v1/directory/users/alice', { department: '', team: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'department', message: 'must not be empty' }, { path: 'team', message: 'unknown field' }]);
    expect((await t.call('PUT', '/api/v1/directory/users/alice', { token: 'ingest', body: { org: 'acme' } })).status).toBe(403);
    expect(t.cp.directory.size).toBe(0);
  });
});

describe('directory list: conditional GET', () => {
  it('answers 304 to the ETag it gave until the directory changes', async () => {
    const t = await startTestServer();
    try {
      await t.json('PUT', '/api/v1/directory/users/ann', { department: 'eng', org: 'acme' });
      const first = await t.call('GET', '/api/v1/directory', { token: 'ingest' });
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]{22}"$/);
      expect((await t.call('GET', '/api/v1/directory', { token: 'ingest', headers: { 'if-none-match': etag } })).status).toBe(304);
      await t.json('PUT', '/api/v1/directory/users/bo', { department: 'ops' });
      const changed = await t.call('GET', '/api/v1/directory', { token: 'ingest', headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(((await changed.json()) as { users: unknown[] }).users).toHaveLength(2);
    } finally {
      await t.stop();
    }
  });
});
