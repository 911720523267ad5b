import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, record, startTestServer, type TestServer } from '../helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { bodyLimitBytes: 64 * 1024, maxBatchRecords: 50 } });
});
afterAll(async () => {
  await s.stop();
});

async function expectNothingStored(): Promise<void> {
  expect(await s.cp.store.countRecords()).toBe(0);
  expect(await s.cp.store.allTotals()).toEqual([]);
}

describe('bad input is refused with the field named, and nothing is stored', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    const res = await s.call('POST', '/api/v1/usage', { token: 'ingest', raw: '{"records": [' });
    expect(res.status).toBe(400);
    const body = { error: await errorOf(res) };
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.message).toMatch(/^request body: malformed JSON/);
    await expectNothingStored();
  });

  it('wrong types in one record reject the whole batch, naming records[i].field', async () => {
    const good = record();
    const bad = record({ tokens: { input: 'ten' }, latency_ms: -1 });
    const res = await s.json('POST', '/api/v1/usage', { records: [good, bad] }, 'ingest');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'records[1].tokens.input', message: 'Invalid input: expected number, received string' },
      { path: 'records[1].latency_ms', message: 'must be >= 0' },
    ]);
    expect(res.body.error.message).toBe('invalid request body: records[1].tokens.input: Invalid input: expected number, received string (and 1 more)');
    await expectNothingStored();
  });

  it('unknown fields are rejected by name', async () => {
    const res = await s.json('POST', '/api/v1/usage', { records: [record({ colour: 'blue' })] }, 'ingest');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'records[0].colour', message: 'unknown field' }]);
    const q = await s.json('POST', '/api/v1/quotas', { scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: 1, extra: true });
    expect(q.status).toBe(400);
    expect(q.body.error.details).toEqual([{ path: 'extra', message: 'unknown field' }]);
    await expectNothingStored();
  });

  it('a bad time and a negative token count are named', async () => {
    const res = await s.json('POST', '/api/v1/usage', { records: [record({ time: 'yesterday', tokens: { input: -5 } })] }, 'ingest');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'records[0].time', message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' },
      { path: 'records[0].tokens.input', message: 'must be >= 0' },
    ]);
    await expectNothingStored();
  });

  it('negative limits and invalid time zones on quotas', async () => {
    const res = await s.json('POST', '/api/v1/quotas', { scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: -3, timezone: 'Mars/Olympus' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'timezone', message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' },
      { path: 'limit', message: 'must be > 0' },
    ]);
    const scope = await s.json('POST', '/api/v1/quotas', { scope: 'team', subject: 'a', metric: 'cost', period: 'fortnight', limit: 1 });
    expect(scope.status).toBe(400);
    expect(scope.body.error.details.map((d: { path: string }) => d.path)).toEqual(['scope', 'period']);
    const thresholds = await s.json('POST', '/api/v1/quotas', { scope: 'user', subject: 'a', metric: 'tokens', period: 'day', limit: 1, thresholds: [0.5, 0.5] });
    expect(thresholds.body.error.details).toEqual([{ path: 'thresholds', message: 'must not repeat a threshold' }]);
    expect((await s.json('GET', '/api/v1/quotas')).body.quotas).toEqual([]);
  });

  it('a body over the byte limit → 413', async () => {
    const res = await s.call('POST', '/api/v1/usage', { token: 'ingest', raw: JSON.stringify({ records: [record({ feature: 'x'.repeat(100_000) })] }) });
    expect(res.status).toBe(413);
    const body = { error: await errorOf(res) };
    expect(body.error.code).toBe('body_too_large');
    await expectNothingStored();
  });

  it('more records than a batch may hold → 413 naming records', async () => {
    const records = Array.from({ length: 51 }, () => record());
    const res = await s.json('POST', '/api/v1/usage', { records }, 'ingest');
    expect(res.status).toBe(413);
    expect(res.body.error.details).toEqual([{ path: 'records', message: 'at most 50 records per batch' }]);
    await expectNothingStored();
  });

  it('bad query parameters name the parameter', async () => {
    const res = await s.json('GET', '/api/v1/usage?group_by=colour&from=tomorrow');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['from', 'group_by']);
    const unknown = await s.json('GET', '/api/v1/usage?colour=blue');
    expect(unknown.body.error.details).toEqual([{ path: 'colour', message: 'unknown field' }]);
  });

  it('price entries are validated by the shared engine', async () => {
    const res = await s.json('POST', '/api/v1/prices', { provider: 'openai', model_pattern: 'x', effective_from: 'soon', prices: { input: '-1', output: '1' } });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('effective_from');
    expect(paths.some((p: string) => p.startsWith('prices.input'))).toBe(true);
  });
});
