/**
 * The enforcement feed the SDKs read: `GET /api/v1/enforcement` (ETag =
 * revision, 304 on If-None-Match) and `GET /api/v1/enforcement/stream` (SSE,
 * a full `state` event on connect and on every change), carrying blocks,
 * provider states and limits with exact usage.
 */
import type { EnforcementState } from '@tokenmeter/instrumentation/protocol';
import { waitFor } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS, amPayload, quotaAlertLabels, record, startTestServer, type TestServer } from '../helpers.js';
import { openSse, type SseStream } from '../support/sse.js';

const NOW = Date.parse('2026-03-15T12:30:00Z');

let s: TestServer | undefined;
const streams: SseStream[] = [];
afterEach(async () => {
  for (const st of streams.splice(0)) st.close();
  await s?.stop();
  s = undefined;
});

async function stream(t: TestServer, token: keyof typeof TOKENS = 'ingest'): Promise<SseStream> {
  const st = await openSse(`${t.url}/api/v1/enforcement/stream`, { authorization: `Bearer ${TOKENS[token]}` });
  streams.push(st);
  return st;
}

async function nextState(st: SseStream): Promise<EnforcementState> {
  const e = await st.next();
  expect(e.event).toBe('state');
  const state = JSON.parse(e.data) as EnforcementState;
  expect(e.id).toBe(String(state.revision));
  return state;
}

describe('GET /api/v1/enforcement', () => {
  it('carries an ETag of the revision; If-None-Match answers 304 until something changes', async () => {
    const t = s = await startTestServer({ now: NOW });
    const first = await t.call('GET', '/api/v1/enforcement', { token: 'ingest' });
    expect(first.status).toBe(200);
    const state = (await first.json()) as EnforcementState;
    const etag = first.headers.get('etag');
    expect(etag).toBe(`"${state.revision}"`);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect(state).toMatchObject({ blocks: [], providers: [], generated_at: new Date(NOW).toISOString() });

    const same = await t.call('GET', '/api/v1/enforcement', { token: 'ingest', headers: { 'if-none-match': etag! } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    expect(same.headers.get('etag')).toBe(etag);
    // Weak validators and lists match too.
    expect((await t.call('GET', '/api/v1/enforcement', { token: 'read', headers: { 'if-none-match': `"nope", W/${etag}` } })).status).toBe(304);

    const block = await t.json('POST', '/api/v1/blocks', { scope: 'user', subject: 'mallory', message: 'abuse' });
    expect(block.status).toBe(201);
    const changed = await t.call('GET', '/api/v1/enforcement', { token: 'ingest', headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    const next = (await changed.json()) as EnforcementState;
    expect(next.revision).toBeGreaterThan(state.revision);
    expect(changed.headers.get('etag')).toBe(`"${next.revision}"`);
    expect(next.blocks).toEqual([{ id: block.body.id, scope: 'user', subject: 'mallory', reason: 'manual', since: new Date(NOW).toISOString(), message: 'abuse' }]);
  });

  it('the revision keeps increasing across a restart on the same database', async () => {
    const t = s = await startTestServer({ now: NOW, dbFile: true });
    await t.json('POST', '/api/v1/blocks', { scope: 'feature', subject: 'x' });
    const before = (await t.json('GET', '/api/v1/enforcement', undefined, 'read')).body;
    await t.close();
    const { startServer } = await import('../../src/index.js');
    const again = await startServer({ config: { ...t.cp.config }, clock: () => NOW, onError: () => {} });
    try {
      const after = await (await fetch(`${again.url}/api/v1/enforcement`, { headers: { authorization: `Bearer ${TOKENS.read}` } })).json() as EnforcementState;
      expect(after.blocks).toEqual(before.blocks);
      expect(after.revision).toBeGreaterThanOrEqual(before.revision);
      await again.cp.blocks.remove(after.blocks[0]!.id, 'test', 'test');
      expect(again.cp.feed.state().revision).toBeGreaterThan(before.revision);
    } finally {
      await again.close();
    }
  });

  it('provider states carry enabled, priority, limits and exact usage of the current hour and day per org', async () => {
    const t = s = await startTestServer({ now: NOW });
    const put = await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: true, priority: 1, limits: { hourly_requests: 100, daily_tokens: 1_000_000 } });
    expect(put.status).toBe(200);
    await t.json('PUT', '/api/v1/providers/acme/anthropic', { enabled: false, priority: 2 });
    await t.json('PUT', '/api/v1/providers/*/openai', { enabled: true, priority: 5, limits: { daily_requests: 10 } });
    const initial = (await t.json('GET', '/api/v1/enforcement', undefined, 'ingest')).body as EnforcementState;
    expect(initial.providers.map((p) => [p.org, p.provider, p.enabled, p.priority])).toEqual([['*', 'openai', true, 5], ['acme', 'openai', true, 1], ['acme', 'anthropic', false, 2]]);
    expect(initial.providers[1]!.limits).toEqual({ hourly_requests: 100, daily_tokens: 1_000_000 });

    await t.json('POST', '/api/v1/usage', {
      records: [
        record({ org: 'acme', time: '2026-03-15T12:10:00Z' }), // this hour
        record({ org: 'acme', time: '2026-03-15T09:00:00Z' }), // today, earlier hour
        record({ org: 'acme', time: '2026-03-14T23:00:00Z' }), // yesterday: neither
        record({ org: 'globex', time: '2026-03-15T12:00:00Z' }), // another org: the `*` default applies to it
      ],
    }, 'ingest');
    // Usage changes reach the feed within the coalescing interval (50 ms in tests).
    const state = await waitFor(async () => {
      const st = (await t.json('GET', '/api/v1/enforcement', undefined, 'ingest')).body as EnforcementState;
      return st.providers.some((p) => p.org === 'globex') ? st : undefined;
    }, { what: 'provider usage in the feed' });
    const acme = state.providers.find((p) => p.org === 'acme' && p.provider === 'openai')!;
    expect(acme.usage).toEqual({
      hour_start: '2026-03-15T12:00:00.000Z', hour_requests: 1, hour_tokens: 1500,
      day_start: '2026-03-15T00:00:00.000Z', day_requests: 2, day_tokens: 3000,
    });
    const globex = state.providers.find((p) => p.org === 'globex')!;
    expect(globex).toMatchObject({ provider: 'openai', enabled: true, priority: 5, limits: { daily_requests: 10 }, usage: { hour_requests: 1, day_requests: 1 } });
    const star = state.providers.find((p) => p.org === '*')!;
    expect(star.usage).toMatchObject({ hour_requests: 2, day_requests: 3 });
    // The providers API shows the same states.
    expect((await t.json('GET', '/api/v1/providers', undefined, 'read')).body.providers).toEqual(state.providers);
  });
});

describe('GET /api/v1/enforcement/stream (SSE)', () => {
  it('sends the state on connect and an `event: state` on every block change', async () => {
    const t = s = await startTestServer({ now: NOW });
    // Usage before the quota: the alert (not ingest) places the block here.
    await t.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', time: '2026-03-15T12:00:00Z' })] }, 'ingest');
    await t.json('POST', '/api/v1/quotas', { id: 'q', scope: 'user', subject: 'alice', metric: 'requests', period: 'day', limit: 1, enforcement: 'hard' });
    const st = await stream(t);
    expect(st.status).toBe(200);
    expect(st.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const initial = await nextState(st);
    expect(initial.blocks).toEqual([]);
    expect(st.retries).toEqual([2000]);

    // A block from the receiver.
    const labels = quotaAlertLabels({ id: 'q', scope: 'user', subject: 'alice', metric: 'requests', period: 'day' });
    const fired = await t.json('POST', '/api/v1/alerts/alertmanager', amPayload('firing', [{ labels, startsAt: '2026-03-15T12:00:00Z' }]), 'alertmanager');
    const blocked = await nextState(st);
    expect(blocked.revision).toBeGreaterThan(initial.revision);
    expect(blocked.blocks).toEqual([expect.objectContaining({ id: fired.body.blocked[0], scope: 'user', subject: 'alice', quota_id: 'q', limit: 1, usage: 1, reset_at: '2026-03-16T00:00:00.000Z' })]);

    // A manual block, then the period reset lifting the quota block.
    await t.json('POST', '/api/v1/blocks', { scope: 'provider', subject: 'anthropic' });
    const two = await nextState(st);
    expect(two.blocks.map((b) => `${b.scope}:${b.subject}`).sort()).toEqual(['provider:anthropic', 'user:alice']);
    t.clock.now = Date.parse('2026-03-16T00:00:00Z');
    await t.cp.tick();
    const lifted = await nextState(st);
    expect(lifted.blocks.map((b) => `${b.scope}:${b.subject}`)).toEqual(['provider:anthropic']);
    expect(lifted.revision).toBeGreaterThan(two.revision);
  });

  it('carries provider changes, and every client gets the same latest state', async () => {
    const t = s = await startTestServer({ now: NOW });
    const a = await stream(t, 'ingest');
    const b = await stream(t, 'read');
    await nextState(a);
    await nextState(b);
    await t.json('PUT', '/api/v1/providers/acme/openai', { enabled: false, priority: 3, limits: { hourly_tokens: 5000 } });
    const sa = await nextState(a);
    const sb = await nextState(b);
    expect(sa).toEqual(sb);
    expect(sa.providers).toEqual([expect.objectContaining({ org: 'acme', provider: 'openai', enabled: false, priority: 3, limits: { hourly_tokens: 5000 } })]);
  });

  it('needs a token of the ingest or read role', async () => {
    const t = s = await startTestServer({ now: NOW });
    const none = await fetch(`${t.url}/api/v1/enforcement/stream`);
    expect(none.status).toBe(401);
    await none.body?.cancel();
    const am = await fetch(`${t.url}/api/v1/enforcement/stream`, { headers: { authorization: `Bearer ${TOKENS.alertmanager}` } });
    expect(am.status).toBe(403);
    await am.body?.cancel();
  });

  it('ends open streams on shutdown', async () => {
    const t = s = await startTestServer({ now: NOW });
    const st = await stream(t);
    await nextState(st);
    expect(t.handle.hub.size).toBe(1);
    await t.close();
    await expect(st.next()).rejects.toThrow();
    expect(t.handle.hub.size).toBe(0);
  });
});
