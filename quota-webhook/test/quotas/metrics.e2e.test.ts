/**
 * `/metrics` (prom-client): the quota gauges the alert rules read, from the
 * exact ledger totals, with the contract's labels; and the service's own
 * health, ingest and latency metrics. The exposition is parsed strictly here
 * and checked by `promtool check metrics`.
 */
import { execFileSync } from 'node:child_process';
import { findBinary } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { amPayload, quotaAlertLabels, record, startTestServer, type TestServer } from '../helpers.js';
import { parseExposition, type Exposition } from '../support/exposition.js';

const NOW = Date.parse('2026-03-15T12:30:00Z');
const LABELS = ['quota_id', 'scope', 'subject', 'metric', 'period', 'enforcement'];

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function scrape(t: TestServer): Promise<{ text: string; exposition: Exposition; contentType: string | null }> {
  const res = await t.call('GET', '/metrics', { token: null });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, exposition: parseExposition(text), contentType: res.headers.get('content-type') };
}

async function setUp(t: TestServer): Promise<void> {
  const quotas = [
    { id: 'research-cost', scope: 'department', subject: 'research', metric: 'cost', period: 'month', limit: 0.02, enforcement: 'hard' },
    { id: 'per-user-tokens', scope: 'user', subject: '*', overrides: { bob: 2000 }, metric: 'tokens', period: 'day', timezone: 'Europe/Berlin', limit: 10_000, thresholds: [0.5, 1] },
    { id: 'openai-requests', scope: 'provider', subject: 'openai', metric: 'requests', period: 'hour', limit: 3, enforcement: 'hard' },
    { id: 'idle-feature', scope: 'feature', subject: 'idle', metric: 'requests', period: 'week', limit: 5 },
  ];
  for (const q of quotas) expect((await t.json('POST', '/api/v1/quotas', q)).status).toBe(201);
  expect((await t.json('POST', '/api/v1/budgets', { id: 'budget-acme', scope: 'org', subject: 'acme', amount: 100 })).status).toBe(201);
  await t.json('POST', '/api/v1/usage', {
    records: [
      record({ org: 'acme', department: 'research', user: 'alice', time: '2026-03-15T12:05:00Z' }),
      record({ org: 'acme', department: 'research', user: 'bob', time: '2026-03-15T12:10:00Z' }),
      record({ org: 'acme', department: 'research', user: 'bob', time: '2026-03-02T09:00:00Z' }),
      record({ org: 'acme', user: 'carol', time: '2026-03-15T08:00:00Z', request_model: 'mystery' }),
    ],
  }, 'ingest');
}

describe('/metrics quota gauges', () => {
  it('expose limit, usage, utilization and thresholds per quota and subject, with exactly the contract\'s labels', async () => {
    const t = s = await startTestServer({ now: NOW });
    await setUp(t);
    const { exposition: m, contentType } = await scrape(t);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of ['tokenmeter_quota_limit', 'tokenmeter_quota_usage', 'tokenmeter_quota_utilization', 'tokenmeter_quota_threshold']) {
      expect(m.type.get(name)).toBe('gauge');
      expect(m.help.get(name)).toBeTruthy();
      for (const sample of m.find(name)) {
        expect(Object.keys(sample.labels).sort()).toEqual([...LABELS, ...(name === 'tokenmeter_quota_threshold' ? ['threshold'] : [])].sort());
      }
    }
    const research = { quota_id: 'research-cost', scope: 'department', subject: 'research', metric: 'cost', period: 'month', enforcement: 'hard' };
    expect(m.one('tokenmeter_quota_limit', research).value).toBe(0.02);
    expect(m.one('tokenmeter_quota_usage', research).value).toBe(0.0225); // 3 × 0.0075, March
    expect(m.one('tokenmeter_quota_utilization', research).value).toBe(1.125);
    expect(m.find('tokenmeter_quota_threshold', research).map((x) => [x.labels.threshold, x.value])).toEqual([['80', 0.8], ['90', 0.9], ['100', 1]]);

    // "*": one series per subject, with overrides; Berlin day = since 2026-03-14T23:00Z.
    const users = m.find('tokenmeter_quota_usage', { quota_id: 'per-user-tokens' }).map((x) => [x.labels.subject, x.value]);
    expect(users).toEqual([['alice', 1500], ['bob', 1500], ['carol', 1500]]);
    expect(m.one('tokenmeter_quota_limit', { quota_id: 'per-user-tokens', subject: 'bob' }).value).toBe(2000);
    expect(m.one('tokenmeter_quota_utilization', { quota_id: 'per-user-tokens', subject: 'bob' }).value).toBe(0.75);
    expect(m.one('tokenmeter_quota_utilization', { quota_id: 'per-user-tokens', subject: 'alice' }).value).toBe(0.15);
    expect(m.find('tokenmeter_quota_threshold', { quota_id: 'per-user-tokens', subject: 'alice' }).map((x) => x.labels.threshold)).toEqual(['50', '100']);
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'openai-requests' }).value).toBe(2); // 12:05 and 12:10; carol's 08:00 is another hour
    // A specific subject with no usage still has its series (alerts and dashboards see 0, not absence).
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'idle-feature', subject: 'idle' }).value).toBe(0);
    // Budgets are soft cost quotas; the unpriced call counts in no cost.
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'budget-acme', scope: 'org', subject: 'acme', metric: 'cost', enforcement: 'soft' }).value).toBe(0.0225);
  });

  it('every gauge equals the quota status API and the ledger records, and the next scrape follows new records at once', async () => {
    const t = s = await startTestServer({ now: NOW });
    await setUp(t);
    const check = async (): Promise<void> => {
      const { exposition: m } = await scrape(t);
      let series = 0;
      for (const id of ['research-cost', 'per-user-tokens', 'openai-requests', 'idle-feature', 'budget-acme']) {
        const st = (await t.json('GET', `/api/v1/quotas/${id}/status`, undefined, 'read')).body;
        for (const w of st.windows) {
          const labels = { quota_id: id, subject: w.subject };
          expect(m.one('tokenmeter_quota_limit', labels).value).toBe(w.limit);
          expect(m.one('tokenmeter_quota_usage', labels).value).toBe(w.usage);
          expect(m.one('tokenmeter_quota_utilization', labels).value).toBe(w.utilization);
          series++;
        }
      }
      expect(m.find('tokenmeter_quota_usage')).toHaveLength(series);
      // The research cost gauge equals the ledger's records of the window, summed exactly.
      const groups = (await t.json('GET', '/api/v1/usage?group_by=department&from=2026-03-01&to=2026-04-01', undefined, 'read')).body.groups;
      const ledger = groups.find((g: { key: string }) => g.key === 'research');
      expect(m.one('tokenmeter_quota_usage', { quota_id: 'research-cost' }).value).toBe(Number(ledger.cost_usd));
    };
    await check();
    await t.json('POST', '/api/v1/usage', { records: [record({ department: 'research', user: 'dave', time: '2026-03-15T12:20:00Z' })] }, 'ingest');
    const { exposition: m } = await scrape(t);
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'research-cost' }).value).toBe(0.03);
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'per-user-tokens', subject: 'dave' }).value).toBe(1500);
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'openai-requests' }).value).toBe(3);
    await check();
  });

  it('a hard quota always exports the 100 % threshold it blocks at, even when its own thresholds lack it', async () => {
    const t = s = await startTestServer({ now: NOW });
    await t.json('POST', '/api/v1/quotas', { id: 'hard-odd', scope: 'user', subject: 'a', metric: 'requests', period: 'day', limit: 5, enforcement: 'hard', thresholds: [0.5, 1.5] });
    await t.json('POST', '/api/v1/quotas', { id: 'soft-odd', scope: 'user', subject: 'a', metric: 'requests', period: 'day', limit: 5, thresholds: [0.5] });
    const { exposition: m } = await scrape(t);
    expect(m.find('tokenmeter_quota_threshold', { quota_id: 'hard-odd' }).map((x) => [x.labels.threshold, x.value])).toEqual([['50', 0.5], ['100', 1], ['150', 1.5]]);
    expect(m.find('tokenmeter_quota_threshold', { quota_id: 'soft-odd' }).map((x) => x.labels.threshold)).toEqual(['50']);
    // The stored quota keeps what the admin set.
    expect((await t.json('GET', '/api/v1/quotas/hard-odd', undefined, 'read')).body.thresholds).toEqual([0.5, 1.5]);
  });

  it('series follow the clock: a new period starts at zero, a deleted quota disappears', async () => {
    const t = s = await startTestServer({ now: NOW });
    await setUp(t);
    t.clock.now = Date.parse('2026-03-15T13:00:00Z');
    let m = (await scrape(t)).exposition;
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'openai-requests' }).value).toBe(0);
    expect(m.one('tokenmeter_quota_usage', { quota_id: 'research-cost' }).value).toBe(0.0225);
    await t.call('DELETE', '/api/v1/quotas/research-cost');
    m = (await scrape(t)).exposition;
    expect(m.find('tokenmeter_quota_limit', { quota_id: 'research-cost' })).toEqual([]);
    expect(m.find('tokenmeter_quota_threshold', { quota_id: 'research-cost' })).toEqual([]);
  });

  it('the exposition passes `promtool check metrics`', async () => {
    const t = s = await startTestServer({ now: NOW });
    await setUp(t);
    // Label values that need escaping.
    const odd = 'a "quoted"\nfeature\\';
    expect((await t.json('POST', '/api/v1/quotas', { id: 'odd', scope: 'feature', subject: odd, metric: 'requests', period: 'day', limit: 1 })).status).toBe(201);
    // Non-ASCII subjects pass through as UTF-8.
    const unicode = 'forschung-ünï 研究部';
    expect((await t.json('POST', '/api/v1/quotas', { id: 'unicode', scope: 'department', subject: unicode, metric: 'cost', period: 'day', limit: 1 })).status).toBe(201);
    const { text, exposition } = await scrape(t);
    expect(exposition.one('tokenmeter_quota_limit', { quota_id: 'odd' }).labels.subject).toBe(odd);
    expect(exposition.one('tokenmeter_quota_limit', { quota_id: 'unicode' }).labels.subject).toBe(unicode);
    const promtool = findBinary(['promtool'], 'prometheus');
    // Exit 0: no parse error and no lint problem.
    execFileSync(promtool, ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
  });
});

describe('/metrics: the service itself', () => {
  it('health, blocks, ingest counters and HTTP latency by route template', async () => {
    const t = s = await startTestServer({ now: NOW });
    await setUp(t);
    await t.json('POST', '/api/v1/usage', { records: [record({ id: 'dup', time: '2026-03-15T12:00:00Z' })] }, 'ingest');
    await t.json('POST', '/api/v1/usage', { records: [record({ id: 'dup', time: '2026-03-15T12:00:00Z' })] }, 'ingest');
    await t.json('POST', '/api/v1/usage', { records: [{ id: 'bad' }] }, 'ingest');
    await t.json('GET', '/api/v1/quotas/research-cost/status', undefined, 'read');
    await t.json('GET', '/api/v1/quotas/per-user-tokens/status', undefined, 'read');
    await t.json('POST', '/api/v1/alerts/alertmanager', amPayload('firing', [{ labels: quotaAlertLabels({ id: 'research-cost', scope: 'department', subject: 'research' }), startsAt: '2026-03-15T12:15:00Z' }]), 'alertmanager');
    const { exposition: m } = await scrape(t);

    expect(m.one('tokenmeter_control_plane_ready').value).toBe(1);
    expect(m.one('tokenmeter_control_plane_info').labels).toEqual({ version: '0.1.0', store: 'sqlite' });
    expect(m.one('tokenmeter_blocks', { scope: 'department' }).value).toBe(1);
    expect(m.one('tokenmeter_blocks', { scope: 'user' }).value).toBe(0);
    expect(m.one('tokenmeter_enforcement_revision').value).toBe(t.cp.feed.revision);
    expect(m.one('tokenmeter_ledger_records_total', { result: 'accepted' }).value).toBe(5);
    expect(m.one('tokenmeter_ledger_records_total', { result: 'duplicate' }).value).toBe(1);
    expect(m.one('tokenmeter_ledger_records_total', { result: 'unpriced' }).value).toBe(1);
    expect(m.one('tokenmeter_ledger_batches_total', { result: 'partial' }).value).toBe(1);
    expect(m.one('tokenmeter_ledger_records_total', { result: 'rejected' }).value).toBe(1);
    expect(m.one('tokenmeter_alerts_received_total', { action: 'block', status: 'firing' }).value).toBe(1);

    expect(m.type.get('http_server_request_duration_seconds')).toBe('histogram');
    // Route templates, never raw URLs.
    const routes = new Set(m.find('http_server_request_duration_seconds_count').map((x) => x.labels.route));
    expect(routes).toContain('/api/v1/quotas/:id/status');
    expect([...routes].some((r) => r!.includes('research-cost'))).toBe(false);
    expect(m.one('http_server_request_duration_seconds_count', { method: 'GET', route: '/api/v1/quotas/:id/status', status_code: '200' }).value).toBe(2);
    // A bad record is refused inside a 200 (judged per record); a bad envelope is a 400.
    await t.json('POST', '/api/v1/usage', { rows: [] }, 'ingest');
    const after = (await scrape(t)).exposition;
    expect(after.one('http_server_request_duration_seconds_count', { method: 'POST', route: '/api/v1/usage', status_code: '400' }).value).toBe(1);
    const inf = after.one('http_server_request_duration_seconds_bucket', { method: 'POST', route: '/api/v1/usage', status_code: '200', le: '+Inf' });
    expect(inf.value).toBe(4);

    // Draining: readiness drops to 0 (and /readyz answers 503).
    t.handle.setReady(false);
    expect((await scrape(t)).exposition.one('tokenmeter_control_plane_ready').value).toBe(0);
    expect((await t.call('GET', '/readyz', { token: null })).status).toBe(503);
  });
});
