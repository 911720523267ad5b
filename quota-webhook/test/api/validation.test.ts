import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, record, startTestServer, type TestServer } from '../helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { bodyLimitBytes: 64 * 1024, maxBatchRecords: 50 } });
});
afterAll(async () => {
  await s.stop();
});

/** What the ledger holds after the last test that stored something on purpose. */
let stored = { records: 0, totals: [] as unknown[] };
async function expectNothingStored(): Promise<void> {
  expect(await s.cp.store.countRecords()).toBe(stored.records);
  expect(await s.cp.store.allTotals()).toEqual(stored.totals);
}
async function nowStored(): Promise<void> {
  stored = { records: await s.cp.store.countRecords(), totals: await s.cp.store.allTotals() };
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

  it('each record is judged on its own: a bad one is rejected by index naming records[i].field, the good ones are stored', async () => {
    const good = record();
    const bad = record({ tokens: { input: 'ten' }, latency_ms: -1 });
    const res = await s.json('POST', '/api/v1/usage', { records: [good, bad] }, 'ingest');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 1, duplicates: 0, unpriced: 0,
      rejected: [{
        index: 1, id: bad.id, code: 'invalid_record',
        message: 'records[1].tokens.input: Invalid input: expected number, received string; records[1].latency_ms: must be >= 0',
      }],
    });
    expect((await s.cp.store.hasRecordIds([String(good.id), String(bad.id)]))).toEqual(new Set([good.id]));
    await nowStored();
  });

  it('unknown fields are rejected by name', async () => {
    const res = await s.json('POST', '/api/v1/usage', { records: [record({ colour: 'blue' })] }, 'ingest');
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([expect.objectContaining({ index: 0, code: 'invalid_record', message: 'records[0].colour: unknown field' })]);
    const q = await s.json('POST', '/api/v1/quotas', { scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: 1, extra: true });
    expect(q.status).toBe(400);
    expect(q.body.error.details).toEqual([{ path: 'extra', message: 'unknown field' }]);
  });

  it('a malformed prompt fingerprint is named (the bounds the collector checks before forwarding, from protocol.ts)', async () => {
    const fingerprint = { prefix_hash: 'ab'.repeat(16), request_hash: 'cd'.repeat(16), prefix_tokens: 8 };
    const res = await s.json('POST', '/api/v1/usage', {
      records: [
        record({ fingerprint: { ...fingerprint, prefix_hash: 'AB'.repeat(16) } }),
        record({ fingerprint: { ...fingerprint, finish_reason: 'x'.repeat(65) } }),
      ],
    }, 'ingest');
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected).toEqual([
      expect.objectContaining({ index: 0, code: 'invalid_record', message: 'records[0].fingerprint.prefix_hash: must be 8-64 lower-case hex digits' }),
      expect.objectContaining({ index: 1, code: 'invalid_record', message: expect.stringMatching(/^records\[1\]\.fingerprint\.finish_reason: /) }),
    ]);
    await expectNothingStored();
  });

  it('a bad time and a negative token count are named', async () => {
    const res = await s.json('POST', '/api/v1/usage', { records: [record({ time: 'yesterday', tokens: { input: -5 } })] }, 'ingest');
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected[0].message).toBe(
      'records[0].time: must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z; records[0].tokens.input: must be >= 0');
  });

  it('implausible values are refused per record (tokens beyond any context, impossible or far dates) and never stall the batch', async () => {
    const before = await s.cp.store.countRecords();
    const poison = record({ request_model: 'gpt-4.1', tokens: { input: 9007199254740991 } });
    const huge = record({ request_model: 'gpt-4.1', tokens: { input: 5_000_000_000_000 } });
    const feb30 = record({ time: '2026-02-30T12:00:00Z' });
    const future = record({ time: new Date(Date.now() + 2 * 3600_000).toISOString() });
    const ancient = record({ time: '1969-12-31T23:59:59Z' });
    const fine = Array.from({ length: 5 }, () => record({ request_model: 'gpt-4.1', tokens: { input: 1000, output: 10 } }));
    const res = await s.json('POST', '/api/v1/usage', { records: [poison, ...fine, huge, feb30, future, ancient] }, 'ingest');
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(5);
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [0, 'implausible'], [6, 'implausible'], [7, 'implausible'], [8, 'implausible'], [9, 'implausible'],
    ]);
    expect(res.body.rejected[0].message).toBe("tokens.input: 9007199254740991 tokens in one call is beyond any model's context (at most 100000000)");
    expect(res.body.rejected[2].message).toBe('time: "2026-02-30T12:00:00Z" is not a real RFC 3339 instant');
    expect(await s.cp.store.countRecords()).toBe(before + 5);
    await nowStored();
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

  it('a body over the byte limit → 413 with a clear message', async () => {
    const res = await s.call('POST', '/api/v1/usage', { token: 'ingest', raw: JSON.stringify({ records: [record({ feature: 'x'.repeat(100_000) })] }) });
    expect(res.status).toBe(413);
    const body = { error: await errorOf(res) };
    expect(body.error.code).toBe('body_too_large');
    expect(body.error.message).toBe('request body: larger than the 65536 byte limit');
    await expectNothingStored();
    // Chunked (no Content-Length): the limit holds while streaming.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"records":[{"id":"x","feature":"'));
        controller.enqueue(new TextEncoder().encode('y'.repeat(70_000)));
        controller.enqueue(new TextEncoder().encode('"}]}'));
        controller.close();
      },
    });
    const chunked = await fetch(`${s.url}/api/v1/usage`, {
      method: 'POST', body: chunks, duplex: 'half', headers: { 'content-type': 'application/json', authorization: 'Bearer ingest-token' },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await errorOf(chunked)).code).toBe('body_too_large');
    // The same limit on every write, not only usage.
    const quota = await s.call('POST', '/api/v1/quotas', { raw: JSON.stringify({ scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: 1, name: 'n'.repeat(70_000) }) });
    expect(quota.status).toBe(413);
    expect((await s.json('GET', '/api/v1/quotas')).body.quotas).toEqual([]);
    await expectNothingStored();
  });

  it('a large body without a valid token is refused before it is read: 401', async () => {
    const res = await s.call('POST', '/api/v1/usage', { token: null, raw: JSON.stringify({ records: [record({ feature: 'x'.repeat(100_000) })] }) });
    expect(res.status).toBe(401);
    const wrongRole = await s.call('POST', '/api/v1/quotas', { token: 'read', raw: 'not even json' });
    expect(wrongRole.status).toBe(403);
    await expectNothingStored();
  });

  it('a body that is not JSON → 415 naming the expected type', async () => {
    const res = await s.call('POST', '/api/v1/usage', { token: 'ingest', raw: 'records=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(await errorOf(res)).toEqual({
      code: 'unsupported_media_type', message: 'request body: Content-Type must be application/json (got "application/x-www-form-urlencoded")',
      details: [{ path: '', message: 'must be application/json' }],
    });
    const none = await s.json('POST', '/api/v1/quotas', undefined);
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe('invalid request body: request body: Invalid input: expected object, received undefined');
    const array = await s.json('POST', '/api/v1/usage', [record()], 'ingest');
    expect(array.status).toBe(400);
    expect(array.body.error.details).toEqual([{ path: '', message: 'Invalid input: expected object, received array' }]);
    const scalar = await s.call('POST', '/api/v1/usage', { token: 'ingest', raw: '"records"' });
    expect(scalar.status).toBe(400);
    expect((await errorOf(scalar)).code).toBe('invalid_json');
    await expectNothingStored();
  });

  it('negative, zero and non-numeric limits, overrides and thresholds name the field', async () => {
    const zero = await s.json('POST', '/api/v1/quotas', { scope: 'user', subject: '*', metric: 'tokens', period: 'day', limit: 0, overrides: { bob: -1, eve: 'ten' }, thresholds: [0, 1] });
    expect(zero.status).toBe(400);
    expect(zero.body.error.details).toEqual([
      { path: 'overrides.bob', message: 'must be > 0' },
      { path: 'overrides.eve', message: 'must be a number' },
      { path: 'limit', message: 'must be > 0' },
      { path: 'thresholds[0]', message: 'must be > 0' },
    ]);
    const str = await s.json('POST', '/api/v1/quotas', { scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: '5' });
    expect(str.body.error.details).toEqual([{ path: 'limit', message: 'must be a number' }]);
    const budget = await s.json('POST', '/api/v1/budgets', { scope: 'org', subject: 'acme', amount: -100, timezone: 'Nowhere/Land' });
    expect(budget.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['amount', 'timezone']);
    const patch = await s.json('PUT', '/api/v1/quotas/q1', { scope: 'user', subject: 'a', metric: 'cost', period: 'day', limit: 1 });
    expect(patch.status).toBe(201);
    const badPatch = await s.json('PATCH', '/api/v1/quotas/q1', { limit: -1, timezone: 'utc+2', colour: 'red' });
    expect(badPatch.body.error.details).toEqual([
      { path: 'timezone', message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' },
      { path: 'limit', message: 'must be > 0' },
      { path: 'colour', message: 'unknown field' },
    ]);
    expect((await s.json('GET', '/api/v1/quotas/q1')).body.limit).toBe(1);
    expect((await s.call('DELETE', '/api/v1/quotas/q1')).status).toBe(204);
    expect((await s.json('GET', '/api/v1/budgets')).body.budgets).toEqual([]);
  });

  it('manual blocks and provider settings are validated too', async () => {
    const block = await s.json('POST', '/api/v1/blocks', { scope: 'team', subject: '', reset_at: 'tomorrow', until: 'x' });
    expect(block.status).toBe(400);
    expect(block.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['reset_at', 'scope', 'subject', 'until']);
    expect((await s.json('GET', '/api/v1/blocks')).body.blocks).toEqual([]);
    const provider = await s.json('PUT', '/api/v1/providers/acme/openai', { enabled: 'yes', priority: -2 });
    expect(provider.body.error.details).toEqual([
      { path: 'enabled', message: 'Invalid input: expected boolean, received string' },
      { path: 'priority', message: 'must be >= 0' },
    ]);
    const unblock = await s.json('DELETE', '/api/v1/blocks/x?reason=');
    expect(unblock.body.error.details).toEqual([{ path: 'reason', message: 'must not be empty' }]);
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
