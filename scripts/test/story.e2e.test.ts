// The demo's story lines come from the real control plane: quota status,
// audit records and the receiver's counter. Here the built control plane runs
// on a free port; usage, alerts and an unblock go through its API, and the
// story tells each event once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForHttp, type ManagedProcess } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsReceived, auditLine, quotaLines, Story, type QuotaWithStatus, type SeenWindow } from '../demo/story.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TOKENS = { admin: 'story-admin', read: 'story-read', ingest: 'story-ingest', alertmanager: 'story-alertmanager' };

let dir: string;
let url: string;
let controlPlane: ManagedProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokenmeter-story-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  controlPlane = startProcess(process.execPath, ['quota-webhook/dist/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      TOKENMETER_CONTROL_PLANE_HOST: '127.0.0.1',
      TOKENMETER_CONTROL_PLANE_PORT: String(port),
      TOKENMETER_DB_URL: join(dir, 'tokenmeter.db'),
      TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
      TOKENMETER_READ_TOKEN: TOKENS.read,
      TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
      TOKENMETER_ALERTMANAGER_TOKEN: TOKENS.alertmanager,
      TOKENMETER_LOG_LEVEL: 'warn',
    },
  });
  await waitForHttp(`${url}/readyz`, 30_000);
});

afterAll(async () => {
  await controlPlane?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

let nextId = 0;
/** `n` calls of frank, now. */
function usage(n: number): Promise<unknown> {
  const records = Array.from({ length: n }, () => ({
    id: `story-${++nextId}`,
    time: new Date().toISOString(),
    org: 'acme',
    user: 'frank',
    provider: 'openai',
    operation: 'chat',
    request_model: 'gpt-4o-mini',
    tokens: { input: 10, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 },
    cost_usd: null,
    outcome: 'ok',
    latency_ms: 12,
    source: 'sdk',
  }));
  return call('POST', '/usage', TOKENS.ingest, { records });
}

function alert(action: 'notify' | 'block', threshold: string, status: 'firing' | 'resolved'): Promise<unknown> {
  const labels = { alertname: 'TokenmeterQuotaThreshold', tokenmeter_action: action, quota_id: 'calls', scope: 'user', subject: 'frank', threshold };
  const startsAt = new Date(Date.now() - 1000).toISOString();
  return call('POST', '/alerts/alertmanager', TOKENS.alertmanager, {
    version: '4',
    status,
    alerts: [{ status, labels, annotations: { summary: `user frank crossed ${threshold} % of quota calls` }, startsAt }],
  });
}

describe('the demo story, told from the real control plane', () => {
  it('tells each threshold, the block at ingest, each Alertmanager call and the unblock once, in order', async () => {
    // A month window: the test never straddles a period boundary in practice.
    await call('PUT', '/quotas/calls', TOKENS.admin, { scope: 'user', subject: '*', metric: 'requests', period: 'month', limit: 10, enforcement: 'hard' });
    const lines: string[] = [];
    const story = new Story({ controlPlaneUrl: url, readToken: TOKENS.read, since: Date.now() - 1000, print: (line) => lines.push(line) });
    const told = async (): Promise<string[]> => {
      const before = lines.length;
      await story.poll();
      return lines.slice(before);
    };

    await usage(7);
    expect(await told()).toEqual([]);
    await usage(1);
    expect(await told()).toEqual(['user frank reached 80 % of quota calls (hard): 8 of 10 requests this month']);
    await usage(1);
    expect(await told()).toEqual(['user frank reached 90 % of quota calls (hard): 9 of 10 requests this month']);
    await usage(1);
    const atLimit = await told();
    expect(atLimit[0]).toBe('user frank reached 100 % of quota calls (hard): 10 of 10 requests this month');
    expect(atLimit[1]).toMatch(/^BLOCKED user frank: the ledger blocked at ingest \(ingest: usage 10 reached the limit 10 of hard quota calls\)$/);
    expect(atLimit).toHaveLength(2);

    await alert('notify', '80', 'firing');
    expect(await told()).toEqual(['Alertmanager → control plane: firing: user frank crossed 80 % of quota calls (recorded, notify only)']);
    // The block alert finds the block placed at ingest: no audit record, but the receiver counted the call.
    await alert('block', '100', 'firing');
    expect(await told()).toEqual(['Alertmanager → control plane: 1 block alert firing']);

    const { blocks } = (await call('GET', '/blocks', TOKENS.read)) as { blocks: Array<{ id: string }> };
    expect(blocks).toHaveLength(1);
    await call('DELETE', `/blocks/${encodeURIComponent(blocks[0]!.id)}?reason=${encodeURIComponent('frank explained')}`, TOKENS.admin);
    expect(await told()).toEqual(['UNBLOCKED user frank by admin (frank explained)']);
    expect(await told()).toEqual([]);
  });

  it('says when the control plane cannot be read, once per distinct error, without throwing', async () => {
    const lines: string[] = [];
    const story = new Story({ controlPlaneUrl: url, readToken: 'not-a-token', since: 0, print: (line) => lines.push(line) });
    await story.poll();
    await story.poll();
    // The audit is read first (told after the quota status): its refusal is the one told.
    expect(lines).toEqual(['(cannot read the control plane: GET ' + url + '/api/v1/audit?from=1970-01-01T00%3A00%3A00.000Z&limit=10000: 401)']);
  });
});

describe('story lines from the records and statuses the control plane writes', () => {
  it('a period reset: the block lifted by the reset, and a new window for a subject that had reached a threshold', () => {
    // As quota-webhook/src/enforcement/quota-blocks.ts audits a block lifted at the period reset.
    expect(auditLine({ id: 9, time_ms: 0, kind: 'block', action: 'unblock', actor: 'system', subject: 'user:frank', reason: 'period reset: usage 0 < limit 0.01 in the window from 2026-03-01T14:00:00.000Z' }))
      .toBe('UNBLOCKED user frank: the period reset (period reset: usage 0 < limit 0.01 in the window from 2026-03-01T14:00:00.000Z)');
    expect(auditLine({ id: 10, time_ms: 0, kind: 'block', action: 'block', actor: 'alertmanager', subject: 'feature:search', reason: 'alert RunawayFeature firing since …' }))
      .toBe("BLOCKED feature search: on Alertmanager's call (alert RunawayFeature firing since …)");
    expect(auditLine({ id: 11, time_ms: 0, kind: 'quota', action: 'put', actor: 'admin', subject: 'calls', reason: null })).toBeUndefined();

    const quota = (windowStart: string, usd: string, utilization: number): QuotaWithStatus[] => [{
      id: 'user-hourly-cost', scope: 'user', metric: 'cost', enforcement: 'hard',
      status: { period: 'hour', windows: [{ subject: 'frank', limit: 0.01, usage: Number(usd), utilization, usage_usd: usd, limit_usd: '0.01', window_start: windowStart, next_reset: '' }] },
    }];
    const seen = new Map<string, SeenWindow>();
    expect(quotaLines(quota('2026-03-01T13:00:00.000Z', '0.0105', 1.05), seen)).toEqual([
      'user frank reached 80 % of quota user-hourly-cost (hard): $0.0105 of $0.01 this hour',
      'user frank reached 90 % of quota user-hourly-cost (hard): $0.0105 of $0.01 this hour',
      'user frank reached 100 % of quota user-hourly-cost (hard): $0.0105 of $0.01 this hour',
    ]);
    expect(quotaLines(quota('2026-03-01T13:00:00.000Z', '0.0107', 1.07), seen)).toEqual([]);
    expect(quotaLines(quota('2026-03-01T14:00:00.000Z', '0.0001', 0.01), seen)).toEqual([
      'new hour for quota user-hourly-cost (from 2026-03-01T14:00:00.000Z): user frank starts again at 0',
    ]);
    expect(quotaLines(quota('2026-03-01T14:00:00.000Z', '0.0085', 0.85), seen)).toEqual([
      'user frank reached 80 % of quota user-hourly-cost (hard): $0.0085 of $0.01 this hour',
    ]);
  });

  it('reads the receiver counter from the exposition', () => {
    const text = [
      '# HELP tokenmeter_alerts_received_total Alertmanager alerts received, by tokenmeter_action and status.',
      '# TYPE tokenmeter_alerts_received_total counter',
      'tokenmeter_alerts_received_total{action="block",status="firing"} 2',
      'tokenmeter_alerts_received_total{action="notify",status="resolved"} 1',
    ].join('\n');
    expect(alertsReceived(text)).toEqual(new Map([['block/firing', 2], ['notify/resolved', 1]]));
  });
});
