/**
 * Two control planes on one real Postgres (started by testkit) tick the same
 * schedule at the same moments: every tick runs exactly once, wherever it
 * runs, and each tick's file is written once. The schedule is created on one
 * replica and run by either: nothing is cached per process.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { usePostgres } from '../support/postgres.js';
import { describe, expect, it } from 'vitest';
import type { ScheduleRun } from '../../src/reports/schedules/model.js';
import { startScheduleServer } from './support.js';

const postgres = usePostgres();

describe('two replicas on one Postgres', () => {
  it('run each tick once', async () => {
    const url = await postgres().createDatabase('replicas');
    const start = Date.parse('2026-06-01T00:00:00Z');
    const a = await startScheduleServer({ now: start, dbUrl: url });
    const b = await startScheduleServer({ now: start, dbUrl: url, reports: { folderRoot: a.folderRoot } });
    try {
      expect(a.cp.store.kind).toBe('postgres');
      const created = await a.json('POST', '/api/v1/report-schedules', {
        name: 'every ten minutes', cron: '*/10 * * * *', report: { kind: 'usage', format: 'csv', period: 'today' },
        destinations: [{ type: 'folder', path: 'shared', filename: '{run_time}.{ext}' }],
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const started: ScheduleRun[] = [];
      // Two hours in 2-minute steps; both replicas tick at every step, concurrently, in alternating order.
      for (let i = 1; i <= 60; i++) {
        const now = start + i * 2 * 60_000;
        a.clock.now = now;
        b.clock.now = now;
        const pair = i % 2 === 0 ? [a, b] : [b, a];
        const runs = await Promise.all(pair.map((r) => r.cp.reports.scheduler.tick()));
        started.push(...runs.flat());
        // Runs end before the next step: a run still going when its next tick comes defers that tick (tested in scheduler.test.ts).
        await Promise.all([a.cp.reports.idle(), b.cp.reports.idle()]);
      }
      const ticks = started.map((r) => r.scheduled_for!).sort();
      expect(ticks).toHaveLength(12);
      expect(new Set(ticks).size).toBe(12);
      expect(ticks[0]).toBe('2026-06-01T00:10:00.000Z');
      expect(ticks[11]).toBe('2026-06-01T02:00:00.000Z');
      const history = (await b.json('GET', `/api/v1/report-schedules/${id}/runs`)).body.runs as ScheduleRun[];
      expect(history).toHaveLength(12);
      expect(history.every((r) => r.status === 'succeeded' && r.trigger === 'schedule')).toBe(true);
      expect(readdirSync(join(a.folderRoot, 'shared')).sort()).toEqual(ticks.map((t) => `${t.slice(0, 10).replace(/-/g, '')}-${t.slice(11, 16).replace(':', '')}.csv`));
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
