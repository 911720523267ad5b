/**
 * The scheduler on a fake clock (ticked every few minutes of fake time):
 * DST-correct in both directions, one catch-up run after downtime (not one
 * per missed tick), relative periods resolved at the run's tick, and a
 * catch-up at start-up of a restarted control plane.
 */
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@tokenmeter/testkit';
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/reports/periods.js';
import { CronSchedule } from '../../src/reports/schedules/cron.js';
import type { ScheduleRun } from '../../src/reports/schedules/model.js';
import type { TestServer } from '../helpers.js';
import { startScheduleServer, tickAt } from './support.js';

const MINUTE = 60_000;
const report = { kind: 'usage', format: 'csv', period: 'yesterday' };

async function create(t: TestServer, cron: string, timezone: string, extra: object = {}): Promise<string> {
  const res = await t.json('POST', '/api/v1/report-schedules', { name: `${cron} ${timezone}`, cron, timezone, report, destinations: [{ type: 'folder', path: 'out', filename: '{run}.{ext}' }], ...extra });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Ticks every `stepMinutes` of fake time from `from` to `to`; returns every run started, in order. */
async function sweep(t: TestServer, from: string, to: string, stepMinutes: number): Promise<ScheduleRun[]> {
  const runs: ScheduleRun[] = [];
  for (let now = Date.parse(from); now <= Date.parse(to); now += stepMinutes * MINUTE) runs.push(...(await tickAt(t, now)));
  return runs;
}

const local = (iso: string | null, tz: string): string => formatInstant(Date.parse(iso!), tz);

describe('DST', () => {
  it('a 02:30 Europe/Berlin schedule runs once on the spring-forward day, at 03:00 CEST (02:30 does not exist)', async () => {
    const t = await startScheduleServer({ now: Date.parse('2026-03-27T12:00:00Z') });
    try {
      await create(t, '30 2 * * *', 'Europe/Berlin');
      const runs = await sweep(t, '2026-03-27T12:00:00Z', '2026-03-31T12:00:00Z', 5);
      expect(runs.map((r) => local(r.scheduled_for, 'Europe/Berlin'))).toEqual([
        '2026-03-28T02:30:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00',
      ]);
      expect(runs.every((r) => r.trigger === 'schedule' && r.missed_ticks === 0 && r.status === 'succeeded')).toBe(true);
      expect(readdirSync(join((t as TestServer & { folderRoot: string }).folderRoot, 'out'))).toHaveLength(4);
    } finally {
      await t.stop();
    }
  });

  it('a 02:30 Europe/Berlin schedule runs once on the fall-back day (02:30 happens twice)', async () => {
    const t = await startScheduleServer({ now: Date.parse('2026-10-23T12:00:00Z') });
    try {
      await create(t, '30 2 * * *', 'Europe/Berlin');
      const runs = await sweep(t, '2026-10-23T12:00:00Z', '2026-10-27T12:00:00Z', 5);
      expect(runs.map((r) => r.scheduled_for)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
      expect(runs.map((r) => local(r.scheduled_for, 'Europe/Berlin'))[1]).toBe('2026-10-25T02:30:00+02:00');
    } finally {
      await t.stop();
    }
  });

  it('an hourly schedule runs every real hour: 23 runs on the spring-forward day, 25 on the fall-back day (New York)', async () => {
    const t = await startScheduleServer({ now: Date.parse('2026-03-08T04:00:00Z') });
    try {
      await create(t, '0 * * * *', 'America/New_York');
      // Local 2026-03-08 00:00 EST (05:00Z) to 2026-03-09 00:00 EDT (04:00Z): 23 hours.
      const spring = await sweep(t, '2026-03-08T04:30:00Z', '2026-03-09T03:59:00Z', 15);
      expect(spring).toHaveLength(23);
      expect(new Set(spring.map((r) => r.scheduled_for)).size).toBe(23);
      t.clock.now = Date.parse('2026-10-31T12:00:00Z');
      const id = await create(t, '0 * * * *', 'America/New_York');
      const fall = (await sweep(t, '2026-11-01T04:00:00Z', '2026-11-02T04:59:00Z', 15)).filter((r) => r.schedule_id === id);
      // Local 2026-11-01 00:00 EDT (04:00Z) to 2026-11-02 00:00 EST (05:00Z): 25 hours, both 01:00s.
      expect(fall.filter((r) => Date.parse(r.scheduled_for!) < Date.parse('2026-11-02T05:00:00Z'))).toHaveLength(25);
      expect(fall.map((r) => local(r.scheduled_for, 'America/New_York')).filter((s) => s.includes('T01:00:00'))).toEqual(['2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00']);
    } finally {
      await t.stop();
    }
  });

  it('croner agrees: the first tick after a spring-forward gap and the single tick of a repeated time', () => {
    const c = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    expect(new Date(c.next(Date.parse('2026-03-28T12:00:00Z'))!).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(new Date(c.next(Date.parse('2026-10-25T00:30:00Z'))!).toISOString()).toBe('2026-10-26T01:30:00.000Z');
  });
});

describe('missed ticks', () => {
  it('after downtime runs once, for the latest tick, counting the missed ones; the period is relative to that tick', async () => {
    const t = await startScheduleServer({ now: Date.parse('2026-05-01T00:00:00Z') });
    try {
      const id = await create(t, '0 6 * * *', 'UTC');
      expect(await tickAt(t, Date.parse('2026-05-01T06:00:30Z'))).toHaveLength(1);
      // Down from 07:00 on the 1st to 09:00 on the 4th: ticks on the 2nd, 3rd and 4th were missed.
      const runs = await tickAt(t, Date.parse('2026-05-04T09:00:00Z'));
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ trigger: 'catch-up', missed_ticks: 2, scheduled_for: '2026-05-04T06:00:00.000Z' });
      expect(await tickAt(t, Date.parse('2026-05-04T09:05:00Z'))).toHaveLength(0);
      const history = (await t.json('GET', `/api/v1/report-schedules/${id}/runs`)).body.runs as ScheduleRun[];
      expect(history.map((r) => [r.trigger, r.scheduled_for])).toEqual([['catch-up', '2026-05-04T06:00:00.000Z'], ['schedule', '2026-05-01T06:00:00.000Z']]);
      // "yesterday" of the 4th's tick, not of the moment it ran.
      expect(history[0]!.period).toEqual({ from: '2026-05-03T00:00:00Z', to: '2026-05-04T00:00:00Z', timezone: 'UTC' });
      expect((await tickAt(t, Date.parse('2026-05-05T06:00:00Z')))[0]).toMatchObject({ trigger: 'schedule', missed_ticks: 0 });
    } finally {
      await t.stop();
    }
  });

  it('a restarted control plane runs what it missed once, at start-up', async () => {
    const t = await startScheduleServer({ now: Date.parse('2026-05-01T00:00:00Z'), dbFile: true });
    const dbUrl = t.cp.config.dbUrl;
    const id = await create(t, '15 * * * *', 'UTC');
    await t.cp.close();
    // Three hours later, on the same database, with the scheduler on (its timer far away: only the start-up tick runs).
    const u = await startScheduleServer({ now: Date.parse('2026-05-01T03:20:00Z'), dbUrl, reports: { schedulerEnabled: true, schedulerTickMillis: 3_600_000 } });
    try {
      const runs = await waitFor(async () => {
        const r = (await u.json('GET', `/api/v1/report-schedules/${id}/runs`)).body.runs as ScheduleRun[];
        return r.length > 0 && r.every((x) => x.status !== 'running') ? r : undefined;
      }, { what: 'the start-up catch-up run' });
      expect(runs.map((r) => [r.trigger, r.missed_ticks, r.scheduled_for, r.status])).toEqual([['catch-up', 3, '2026-05-01T03:15:00.000Z', 'succeeded']]);
      expect(await tickAt(u, Date.parse('2026-05-01T03:30:00Z'))).toHaveLength(0);
    } finally {
      await u.stop();
      await t.stop().catch(() => undefined);
    }
  });

  it('a tick that comes while the previous run is still going is run once that run ends (never two at once)', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => { void held.then(() => res.writeHead(200).end()); });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const t = await startScheduleServer({ now: Date.parse('2026-05-01T00:00:00Z') });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const res = await t.json('POST', '/api/v1/report-schedules', { name: 'slow', cron: '0 * * * *', report, destinations: [{ type: 'webhook', url }] });
      t.clock.now = Date.parse('2026-05-01T01:00:00Z');
      expect((await t.cp.reports.scheduler.tick()).map((r) => r.scheduled_for)).toEqual(['2026-05-01T01:00:00.000Z']);
      t.clock.now = Date.parse('2026-05-01T02:00:00Z');
      expect(await t.cp.reports.scheduler.tick()).toEqual([]);
      release();
      await t.cp.reports.idle();
      const next = await tickAt(t, Date.parse('2026-05-01T02:01:00Z'));
      expect(next.map((r) => [r.scheduled_for, r.trigger, r.missed_ticks])).toEqual([['2026-05-01T02:00:00.000Z', 'schedule', 0]]);
      const runs = (await t.json('GET', `/api/v1/report-schedules/${res.body.id}/runs`)).body.runs as ScheduleRun[];
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    } finally {
      await t.stop();
      server.close();
    }
  });

  it('a disabled schedule does not run, and when enabled again starts from then (no catch-up for the disabled time)', async () => {
    const t = await startScheduleServer({ now: Date.parse('2026-05-01T00:00:00Z') });
    try {
      const id = await create(t, '0 * * * *', 'UTC', { enabled: false });
      expect(await sweep(t, '2026-05-01T00:00:00Z', '2026-05-01T05:00:00Z', 30)).toHaveLength(0);
      const body = (await t.json('GET', `/api/v1/report-schedules/${id}`)).body;
      const { id: _i, created_at: _c, updated_at: _u, next_run_at: _n, last_run: _l, ...input } = body;
      expect((await t.json('PUT', `/api/v1/report-schedules/${id}`, { ...input, enabled: true })).body.next_run_at).toBe('2026-05-01T06:00:00.000Z');
      expect((await tickAt(t, Date.parse('2026-05-01T06:00:00Z'))).map((r) => r.missed_ticks)).toEqual([0]);
    } finally {
      await t.stop();
    }
  });
});
