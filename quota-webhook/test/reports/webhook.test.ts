/**
 * The webhook destination against a real local HTTP server: it fails twice,
 * then takes the file; the run records one delivery after three attempts,
 * every attempt carried the same idempotency key and the whole file, and the
 * body is signed when a secret is configured. A final status is not retried.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoff, withRetries } from '../../src/reports/destinations/retry.js';
import { retryAfterMillis } from '../../src/reports/destinations/webhook.js';
import type { ScheduleRun } from '../../src/reports/schedules/model.js';
import { NOW, ingest, runReport, seedRecords, startScheduleServer } from './support.js';

interface Received {
  key: string | undefined;
  body: Buffer;
  headers: IncomingMessage['headers'];
}

/** A receiver that answers `statuses` in turn (then 200), keeping what it got and the deliveries it accepted (by key). */
async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; accepted: Map<string, Buffer>; server: Server }> {
  const got: Received[] = [];
  const accepted = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      const body = Buffer.concat(chunks);
      got.push({ key, body, headers: req.headers });
      const status = statuses.shift() ?? 200;
      if (status === 200 && key !== undefined && !accepted.has(key)) accepted.set(key, body);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reports/in`, got, accepted, server };
}

const SECRET = 'report-signing-key';
let t: Awaited<ReturnType<typeof startScheduleServer>>;
const servers: Server[] = [];

beforeAll(async () => {
  t = await startScheduleServer({ now: NOW, reports: { webhook: { attempts: 4, backoffMillis: 0, timeoutMillis: 10_000, secret: SECRET } } });
  await ingest(t, seedRecords({ from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-20T00:00:00Z'), count: 300 }));
});

afterAll(async () => {
  for (const s of servers) s.close();
  await t?.stop();
});

async function scheduleTo(url: string, extra: object[] = []): Promise<string> {
  const res = await t.json('POST', '/api/v1/report-schedules', {
    name: 'to finance', cron: '0 6 * * *', report: { kind: 'usage', format: 'json', group_by: ['department'] },
    destinations: [{ type: 'webhook', url }, ...extra],
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('webhook destination', () => {
  it('retries through two 500s and delivers once, with one idempotency key, the whole file and its signature', async () => {
    const r = await receiver([500, 503]);
    servers.push(r.server);
    const id = await scheduleTo(r.url);
    const run = (await t.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`)).body as ScheduleRun;
    expect(run.status).toBe('succeeded');
    expect(run.destinations).toEqual([{ type: 'webhook', target: r.url, status: 'delivered', attempts: 3, error: null, delivered_at: new Date(NOW).toISOString(), detail: 'HTTP 200' }]);
    expect(r.got).toHaveLength(3);
    expect(new Set(r.got.map((g) => g.key))).toEqual(new Set([`${id}:${run.id}`]));
    expect(r.accepted.size).toBe(1);
    const expected = (await runReport(t, { kind: 'usage', format: 'json', group_by: ['department'] })).body;
    for (const g of r.got) {
      expect(g.body.equals(expected)).toBe(true);
      expect(g.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(g.headers['content-disposition']).toBe(`attachment; filename="${run.filename}"`);
      expect(g.headers['x-tokenmeter-report-sha256']).toBe(createHash('sha256').update(expected).digest('hex'));
      expect(g.headers['x-tokenmeter-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(expected).digest('hex')}`);
    }
    const history = (await t.json('GET', `/api/v1/report-schedules/${id}/runs`)).body.runs as ScheduleRun[];
    expect(history.map((h) => [h.status, h.destinations.map((d) => d.status)])).toEqual([['succeeded', ['delivered']]]);
  });

  it('does not retry a 4xx answer; the other destinations still get the file (partial run)', async () => {
    const r = await receiver([422]);
    servers.push(r.server);
    const id = await scheduleTo(r.url, [{ type: 'folder', path: 'copy' }]);
    const run = (await t.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`)).body as ScheduleRun;
    expect(r.got).toHaveLength(1);
    expect(run.status).toBe('partial');
    expect(run.error).toBe('1 of 2 destinations failed');
    expect(run.destinations.map((d) => [d.type, d.status, d.attempts])).toEqual([['webhook', 'failed', 1], ['folder', 'delivered', 1]]);
    expect(run.destinations[0]!.error).toBe(`POST ${r.url}: HTTP 422 (attempt 1 of 4, not retried)`);
  });

  it('gives up after the configured attempts when the receiver keeps failing', async () => {
    const r = await receiver([500, 500, 500, 500, 500]);
    servers.push(r.server);
    const id = await scheduleTo(r.url);
    const run = (await t.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`)).body as ScheduleRun;
    expect(r.got).toHaveLength(4);
    expect(run).toMatchObject({ status: 'failed', destinations: [{ status: 'failed', attempts: 4, error: `POST ${r.url}: HTTP 500 (attempt 4 of 4)` }] });
  });

  it('records an unreachable receiver as a failed delivery', async () => {
    const r = await receiver([]);
    r.server.close();
    const id = await scheduleTo(r.url);
    const run = (await t.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`)).body as ScheduleRun;
    expect(run.destinations[0]).toMatchObject({ status: 'failed', attempts: 4 });
    expect(run.destinations[0]!.error).toMatch(/ECONNREFUSED/);
  });
});

describe('back-off', () => {
  it('doubles the delay per attempt with jitter, and honours Retry-After', async () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, 1000, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoff(3, 1000, () => 0)).toBe(2000);
    expect(backoff(3, 1000, () => 0.999)).toBe(5996);
    expect(retryAfterMillis('7')).toBe(7000);
    expect(retryAfterMillis('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('2015-10-21T07:28:00Z'))).toBe(10_000);
    expect(retryAfterMillis('soon')).toBeUndefined();
    const waits: number[] = [];
    let calls = 0;
    const out = await withRetries({ attempts: 5, backoffMillis: 100, sleep: async (ms) => { waits.push(ms); }, random: () => 0.5 }, async () => {
      if (++calls < 4) throw new Error('flaky');
      return 'ok';
    });
    expect(out).toEqual({ value: 'ok', attempts: 4 });
    expect(waits).toEqual([100, 200, 400]);
  });
});
