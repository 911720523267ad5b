/**
 * `/report-schedules`: CRUD of report schedules (admin, audited), their run
 * history (`GET …/runs`) and a manual run (`POST …/run`). Reads are open to
 * the read role.
 */
import { z } from 'zod';
import type { ControlPlane } from '../control-plane.js';
import { notFound } from '../errors.js';
import { scheduleInputSchema } from '../reports/schedules/model.js';
import { intParam } from './params.js';
import { reportApiError } from './reports.js';
import type { Api } from './route.js';

const runsQuery = z.strictObject({ limit: intParam(1, 100_000).optional() });
const runQuery = z.strictObject({ wait: z.enum(['true', 'false']).optional() });

export function mountReportSchedules(api: Api, cp: ControlPlane): void {
  const reports = cp.reports;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw reportApiError(error) ?? error;
    }
  };

  api.add({ method: 'get', path: '/report-schedules', tag: 'reports', roles: ['read'], summary: 'List report schedules with their next run and last run' },
    async () => ({ schedules: await reports.list() }));

  api.add({
    method: 'post', path: '/report-schedules', tag: 'reports', roles: [], body: scheduleInputSchema,
    summary: 'Create a report schedule: cron + IANA time zone, a report definition, destinations (folder, webhook, email)',
  }, async ({ body, actor, res }) => {
    const s = await guard(() => reports.create(body, actor));
    res.status(201);
    return s;
  });

  api.add({ method: 'get', path: '/report-schedules/:id', tag: 'reports', roles: ['read'], summary: 'Get a report schedule' }, async ({ params }) => {
    const s = await reports.get(params.id!);
    if (!s) throw notFound('report schedule', params.id!);
    return s;
  });

  api.add({
    method: 'put', path: '/report-schedules/:id', tag: 'reports', roles: [], body: scheduleInputSchema, statuses: [200],
    summary: 'Replace a report schedule (a new cron, time zone or enabled flag counts ticks from now)',
  }, async ({ params, body, actor }) => {
    const s = await guard(() => reports.replace(params.id!, body, actor));
    if (!s) throw notFound('report schedule', params.id!);
    return s;
  });

  api.add({ method: 'delete', path: '/report-schedules/:id', tag: 'reports', roles: [], summary: 'Delete a report schedule and its run history' },
    async ({ params, actor }) => {
      if (!(await reports.delete(params.id!, actor))) throw notFound('report schedule', params.id!);
    });

  api.add({
    method: 'get', path: '/report-schedules/:id/runs', tag: 'reports', roles: ['read'], query: runsQuery,
    summary: 'Run history of a schedule, newest first: started, finished, status, error, size, destinations delivered',
  }, async ({ params, query }) => {
    const runs = await reports.runs(params.id!, query.limit ?? 100);
    if (!runs) throw notFound('report schedule', params.id!);
    return { runs };
  });

  api.add({
    method: 'post', path: '/report-schedules/:id/run', tag: 'reports', roles: [], query: runQuery, statuses: [200, 202],
    summary: 'Run a schedule now: 202 with the run just started, or with wait=true 200 with the finished run',
  }, async ({ params, query, actor, res }) => {
    const wait = query.wait === 'true';
    const run = await reports.runNow(params.id!, actor, wait);
    if (!run) throw notFound('report schedule', params.id!);
    res.status(wait ? 200 : 202);
    return run;
  });
}
