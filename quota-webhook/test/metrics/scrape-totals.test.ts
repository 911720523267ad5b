/** One scrape reads each running-totals window once, though the quota gauges and the period gauges both need it. */
import { afterEach, expect, it } from 'vitest';
import type { QuotaPeriod } from '@tokenmeter/instrumentation/protocol';
import { record, startTestServer, type TestServer } from '../helpers.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

it('GET /metrics reads every totals window once, and its gauges still match the quota status', async () => {
  const t = s = await startTestServer({ now: Date.parse('2026-03-15T12:30:00Z') });
  await t.json('POST', '/api/v1/quotas', { id: 'users', scope: 'user', subject: '*', metric: 'cost', period: 'month', limit: 1 });
  await t.json('POST', '/api/v1/quotas', { id: 'daily', scope: 'department', subject: 'research', metric: 'requests', period: 'day', limit: 10 });
  await t.json('POST', '/api/v1/usage', { records: [record({ user: 'alice', department: 'research', time: '2026-03-15T12:00:00Z' })] }, 'ingest');
  const store = t.cp.store;
  const read: string[] = [];
  const original = store.windowsTotals.bind(store);
  store.windowsTotals = (windows: ReadonlyArray<{ period: QuotaPeriod; tz: string; window_start: number }>) => {
    read.push(...windows.map((w) => `${w.period} ${w.tz} ${w.window_start}`));
    return original(windows);
  };
  const text = await (await t.call('GET', '/metrics', { token: null })).text();
  // The quotas' month and day windows, and the period gauges' day and month of the same zone: each read once.
  expect(read.sort()).toEqual([...new Set(read)].sort());
  expect(read).toHaveLength(2);
  const status = (await t.json('GET', '/api/v1/quotas/users/status', undefined, 'read')).body;
  expect(text).toMatch(new RegExp(`\ntokenmeter_quota_usage\\{quota_id="users",scope="user",subject="alice",[^}]*\\} ${status.windows[0].usage}\n`));
  expect(text).toContain('tokenmeter_period_cost_usd{period="month",timezone="UTC",scope="user",subject="alice"} 0.0075');
});
