/**
 * `/api/v1/report-schedules`: admin CRUD (validated, audited), reads for the
 * read role, a manual run whose file lands in the folder destination exactly
 * as `POST /reports` makes it, and the run history.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, type TestServer } from '../helpers.js';
import { NOW, ingest, runReport, seedRecords, startScheduleServer } from './support.js';

let t: TestServer & { folderRoot: string };

const report = { kind: 'usage', format: 'csv', period: 'month_to_date', group_by: ['department'] };
const valid = { name: 'Monthly spend', cron: '0 6 1 * *', timezone: 'Europe/Berlin', report, destinations: [{ type: 'folder', path: 'finance/monthly' }] };

beforeAll(async () => {
  t = await startScheduleServer({ now: NOW });
  await ingest(t, seedRecords({ from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-20T00:00:00Z'), count: 200 }));
});

afterAll(async () => {
  await t?.stop();
});

describe('CRUD', () => {
  it('creates, reads, replaces and deletes a schedule, each change audited', async () => {
    const created = await t.json('POST', '/api/v1/report-schedules', valid);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ ...valid, enabled: true, next_run_at: '2026-04-01T04:00:00.000Z', last_run: null });
    expect(created.body.report).toMatchObject({ timezone: 'UTC', filters: {}, granularity: 'none' });

    const read = await t.json('GET', `/api/v1/report-schedules/${id}`, undefined, 'read');
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Monthly spend');
    expect((await t.json('GET', '/api/v1/report-schedules', undefined, 'read')).body.schedules.map((s: { id: string }) => s.id)).toContain(id);

    const replaced = await t.json('PUT', `/api/v1/report-schedules/${id}`, { ...valid, name: 'Weekly spend', cron: '0 7 * * MON' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'Weekly spend', next_run_at: '2026-03-23T06:00:00.000Z', created_at: created.body.created_at });

    const disabled = await t.json('PUT', `/api/v1/report-schedules/${id}`, { ...valid, enabled: false });
    expect(disabled.body.next_run_at).toBeNull();

    expect((await t.call('DELETE', `/api/v1/report-schedules/${id}`)).status).toBe(204);
    expect((await t.call('GET', `/api/v1/report-schedules/${id}`)).status).toBe(404);
    expect((await t.call('DELETE', `/api/v1/report-schedules/${id}`)).status).toBe(404);

    const audit = await t.json('GET', '/api/v1/audit?kind=report-schedule', undefined, 'read');
    const mine = audit.body.entries.filter((e: { subject: string }) => e.subject === id).map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`);
    expect(mine).toEqual(['create:admin', 'update:admin', 'update:admin', 'delete:admin']);
  });

  it('refuses bad schedules with 400 naming the field', async () => {
    const bad = async (body: object): Promise<string[]> => {
      const res = await t.call('POST', '/api/v1/report-schedules', { body });
      expect(res.status).toBe(400);
      return (await errorOf(res)).details as unknown as string[];
    };
    const paths = async (body: object): Promise<string[]> => ((await bad(body)) as unknown as Array<{ path: string }>).map((d) => d.path);
    expect(await paths({ ...valid, cron: '61 * * * *' })).toEqual(['cron']);
    expect(await paths({ ...valid, cron: '0 0 31 2 *' })).toEqual(['cron']);
    expect(await paths({ ...valid, timezone: 'Europe/Atlantis' })).toEqual(['timezone']);
    expect(await paths({ ...valid, destinations: [] })).toEqual(['destinations']);
    expect(await paths({ ...valid, destinations: [{ type: 'folder', path: '../../etc' }] })).toEqual(['destinations[0].path']);
    expect(await paths({ ...valid, destinations: [{ type: 'folder', path: '/etc' }] })).toEqual(['destinations[0].path']);
    expect(await paths({ ...valid, destinations: [{ type: 'folder', filename: '../x.csv' }] })).toEqual(['destinations[0].filename']);
    expect(await paths({ ...valid, destinations: [{ type: 'webhook', url: 'ftp://example.com/in' }] })).toEqual(['destinations[0].url']);
    expect(await paths({ ...valid, destinations: [{ type: 'email', to: ['not-an-address'] }] })).toEqual(['destinations[0].to[0]']);
    expect(await paths({ ...valid, destinations: [{ type: 'sms', to: '+1555' }] })).toEqual(['destinations[0].type']);
    expect(await paths({ ...valid, report: { ...report, format: 'xlsx' } })).toEqual(['report.format']);
    expect(await paths({ ...valid, smtp_host: 'evil.example' })).toEqual(['smtp_host']);
    // Email needs SMTP from the configuration: none here.
    const email = await t.call('POST', '/api/v1/report-schedules', { body: { ...valid, destinations: [{ type: 'email', to: ['cfo@example.com'] }] } });
    expect(email.status).toBe(400);
    expect((await errorOf(email)).message).toContain('TOKENMETER_SMTP_HOST');
  });

  it('lets the read role list but not change', async () => {
    expect((await t.call('GET', '/api/v1/report-schedules', { token: 'read' })).status).toBe(200);
    expect((await t.call('POST', '/api/v1/report-schedules', { token: 'read', body: valid })).status).toBe(403);
    expect((await t.call('POST', '/api/v1/report-schedules', { token: null, body: valid })).status).toBe(401);
  });
});

describe('running', () => {
  it('POST …/run writes the same file as POST /reports to the folder, atomically, and records the run', async () => {
    const created = await t.json('POST', '/api/v1/report-schedules', { ...valid, destinations: [{ type: 'folder', path: 'finance', filename: '{schedule}-{kind}-{period_start}.{ext}' }] });
    const id = created.body.id as string;
    const run = await t.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`);
    expect(run.status).toBe(200);
    const direct = (await runReport(t, report)).body;
    expect(run.body).toMatchObject({
      schedule_id: id, trigger: 'manual', scheduled_for: null, status: 'succeeded', error: null, size_bytes: direct.length,
      sha256: createHash('sha256').update(direct).digest('hex'), filename: 'tokenmeter-usage-2026-03-01_2026-03-20.csv',
      period: { from: '2026-03-01T00:00:00Z', to: '2026-03-20T12:00:00Z', timezone: 'UTC' },
    });
    expect(run.body.destinations).toEqual([{
      type: 'folder', target: 'finance', status: 'delivered', attempts: 1, error: null, delivered_at: new Date(NOW).toISOString(),
      detail: join(t.folderRoot, 'finance', 'monthly-spend-usage-2026-03-01.csv'),
    }]);
    expect(readdirSync(join(t.folderRoot, 'finance'))).toEqual(['monthly-spend-usage-2026-03-01.csv']);
    expect(readFileSync(join(t.folderRoot, 'finance', 'monthly-spend-usage-2026-03-01.csv')).equals(direct)).toBe(true);

    const runs = await t.json('GET', `/api/v1/report-schedules/${id}/runs`, undefined, 'read');
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0]).toEqual(run.body);
    expect((await t.json('GET', `/api/v1/report-schedules/${id}`)).body.last_run).toMatchObject({ id: run.body.id, status: 'succeeded' });
  });

  it('without wait answers 202 with the run started, which then finishes', async () => {
    const id = (await t.json('POST', '/api/v1/report-schedules', valid)).body.id as string;
    const started = await t.json('POST', `/api/v1/report-schedules/${id}/run`);
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('running');
    await t.cp.reports.idle();
    const runs = (await t.json('GET', `/api/v1/report-schedules/${id}/runs`)).body.runs;
    expect(runs.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[started.body.id, 'succeeded']]);
  });

  it('records a failed report as a failed run (an analytics kind with no analytics connected)', async () => {
    const sources = t.cp.reports.sources;
    t.cp.reports.connect({ forecast: undefined });
    try {
      const id = (await t.json('POST', '/api/v1/report-schedules', { ...valid, report: { kind: 'forecast' } })).body.id as string;
      const run = await t.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`);
      expect(run.body).toMatchObject({ status: 'failed', size_bytes: null, destinations: [{ status: 'failed' }] });
      expect(run.body.error).toMatch(/analytics service/);
    } finally {
      t.cp.reports.connect(sources);
    }
  });

  it('keeps at most TOKENMETER_REPORT_RUN_HISTORY runs', async () => {
    const u = await startScheduleServer({ now: NOW, reports: { runHistory: 3 } });
    try {
      const id = (await u.json('POST', '/api/v1/report-schedules', valid)).body.id as string;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        u.clock.now = NOW + i * 1000;
        ids.push((await u.json('POST', `/api/v1/report-schedules/${id}/run?wait=true`)).body.id);
      }
      expect((await u.json('GET', `/api/v1/report-schedules/${id}/runs`)).body.runs.map((r: { id: string }) => r.id)).toEqual(ids.slice(2).reverse());
    } finally {
      await u.stop();
    }
  });
});
