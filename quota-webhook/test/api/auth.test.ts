import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type TestServer } from '../helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.stop();
});

describe('bearer token roles', () => {
  it('no token or an unknown token → 401', async () => {
    expect((await s.call('GET', '/api/v1/quotas', { token: null })).status).toBe(401);
    const res = await s.call('GET', '/api/v1/quotas', { token: null, headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('unauthorized');
  });

  it('the read token reads but may not write → 403', async () => {
    expect((await s.call('GET', '/api/v1/quotas', { token: 'read' })).status).toBe(200);
    const res = await s.call('POST', '/api/v1/quotas', { token: 'read', body: { scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: 1 } });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toBe('the read token may not POST this resource');
    expect(s.cp.quotaSet.quotas.size).toBe(0);
  });

  it('the ingest token posts usage and reads the feed and prices, nothing else', async () => {
    expect((await s.call('POST', '/api/v1/usage', { token: 'ingest', body: { records: [] } })).status).toBe(200);
    expect((await s.call('GET', '/api/v1/enforcement', { token: 'ingest' })).status).toBe(200);
    expect((await s.call('GET', '/api/v1/prices', { token: 'ingest' })).status).toBe(200);
    expect((await s.call('GET', '/api/v1/directory', { token: 'ingest' })).status).toBe(200);
    expect((await s.call('GET', '/api/v1/usage', { token: 'ingest' })).status).toBe(403);
    expect((await s.call('GET', '/api/v1/quotas', { token: 'ingest' })).status).toBe(403);
  });

  it('the alertmanager token may only post alerts', async () => {
    expect((await s.call('POST', '/api/v1/alerts/alertmanager', { token: 'alertmanager', body: { version: '4', status: 'firing', alerts: [] } })).status).toBe(200);
    expect((await s.call('GET', '/api/v1/quotas', { token: 'alertmanager' })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/usage', { token: 'alertmanager', body: { records: [] } })).status).toBe(403);
    expect((await s.call('POST', '/api/v1/alerts/alertmanager', { token: 'read', body: { version: '4', status: 'firing', alerts: [] } })).status).toBe(403);
  });

  it('metrics and health need no token', async () => {
    expect((await s.call('GET', '/metrics', { token: null })).status).toBe(200);
    expect((await s.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect((await s.call('GET', '/readyz', { token: null })).status).toBe(200);
  });

  it('with TOKENMETER_METRICS_TOKEN set, /metrics needs it (or the read or admin token); health stays open', async () => {
    const guarded = await startTestServer({ config: { tokens: { admin: 'admin-token', read: 'read-token', metrics: 'metrics-token' } } });
    try {
      expect((await guarded.call('GET', '/metrics', { token: null })).status).toBe(401);
      expect((await guarded.call('GET', '/metrics', { token: null, headers: { authorization: 'Bearer metrics-token' } })).status).toBe(200);
      expect((await guarded.call('GET', '/metrics', { token: 'read' })).status).toBe(200);
      expect((await guarded.call('GET', '/api/v1/quotas', { token: null, headers: { authorization: 'Bearer metrics-token' } })).status).toBe(403);
      expect((await guarded.call('GET', '/healthz', { token: null })).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('with no token configured the API is open', async () => {
    const open = await startTestServer({ config: { tokens: {} } });
    try {
      expect((await open.call('GET', '/api/v1/quotas', { token: null })).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
