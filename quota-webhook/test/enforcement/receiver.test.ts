/**
 * The Alertmanager receiver (POST /api/v1/alerts/alertmanager, webhook payload
 * version 4): what blocks, what only notifies, idempotency under HA duplicates,
 * unblocking only on the ledger's word, period resets, the audit trail, and
 * blocks placed at ingest that the receiver then leaves as they are.
 */
import { waitFor } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { amPayload, quotaAlertLabels, record, startTestServer, type TestServer } from '../helpers.js';

const NOW = Date.parse('2026-03-15T12:00:00Z');
// Every test record: gpt-4o, 1000 input + 500 output tokens = 0.0075 USD at the bundled list price.
const COST = 0.0075;

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function server(config: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  s = await startTestServer({ now: NOW, ...config });
  return s;
}

const research = { id: 'research-monthly', scope: 'department', subject: 'research', metric: 'cost', period: 'month', limit: 0.02, enforcement: 'hard' } as const;

async function ingest(t: TestServer, n: number, over: Record<string, unknown>): Promise<void> {
  const records = Array.from({ length: n }, (_, i) => record({ time: new Date(NOW - (i + 1) * 60_000).toISOString(), ...over }));
  const res = await t.json('POST', '/api/v1/usage', { records }, 'ingest');
  expect(res.status).toBe(200);
  expect(res.body.accepted).toBe(n);
}

function alert(t: TestServer, status: 'firing' | 'resolved', labels: Record<string, string>, startsAt = '2026-03-15T11:30:00Z'): Promise<{ status: number; body: { received: number; blocked: string[]; unblocked: string[] } }> {
  return t.json('POST', '/api/v1/alerts/alertmanager', amPayload(status, [{ labels, startsAt, fingerprint: `fp-${labels.alertname}-${labels.subject}` }]), 'alertmanager');
}

interface ErrorBody { code: string; message: string; details: Array<{ path: string; message: string }> }

async function err(res: Response): Promise<ErrorBody> {
  return ((await res.json()) as { error: ErrorBody }).error;
}

async function blocks(t: TestServer): Promise<Array<Record<string, unknown>>> {
  return (await t.json('GET', '/api/v1/blocks', undefined, 'read')).body.blocks;
}

async function audit(t: TestServer, kind: string): Promise<Array<{ action: string; actor: string; subject: string; reason: string; time: string; data: Record<string, unknown> }>> {
  const res = await t.json('GET', `/api/v1/audit?kind=${kind}`, undefined, 'read');
  expect(res.status).toBe(200);
  return res.body.entries;
}

// These tests exercise the receiver: the usage is ingested before the quota exists, so no block is placed
// at ingest (see the ingest-time tests at the end) and the alert is what blocks.
describe('Alertmanager receiver: what blocks', () => {
  it('a hard quota at 100 % blocks its subject, with limit, usage and the next reset from the ledger', async () => {
    const t = await server();
    await ingest(t, 3, { department: 'research', user: 'alice' });
    expect((await t.json('POST', '/api/v1/quotas', research)).status).toBe(201);
    const res = await alert(t, 'firing', quotaAlertLabels(research));
    expect(res.status).toBe(200);
    expect(res.body.received).toBe(1);
    expect(res.body.blocked).toHaveLength(1);
    const [block] = await blocks(t);
    expect(block).toEqual({
      id: res.body.blocked[0], scope: 'department', subject: 'research', reason: 'quota', quota_id: 'research-monthly', metric: 'cost',
      limit: 0.02, usage: 3 * COST, reset_at: '2026-04-01T00:00:00.000Z', since: new Date(NOW).toISOString(),
      message: 'TokenmeterQuotaThreshold firing',
    });
    // The feed the SDKs read carries it at once.
    const feed = await t.json('GET', '/api/v1/enforcement', undefined, 'ingest');
    expect(feed.body.blocks.map((b: { id: string }) => b.id)).toEqual(res.body.blocked);
  });

  it('a soft quota only notifies: nothing is blocked, even when a rule labels it block; the notification is audited', async () => {
    const t = await server();
    const soft = { ...research, id: 'research-soft', enforcement: 'soft' } as const;
    await t.json('POST', '/api/v1/quotas', soft);
    await ingest(t, 3, { department: 'research' });
    const notify = await alert(t, 'firing', quotaAlertLabels(soft));
    expect(notify.body).toEqual({ received: 1, blocked: [], unblocked: [] });
    // A hand-written rule that says block for a soft quota: soft limits never refuse.
    const mislabelled = await alert(t, 'firing', { ...quotaAlertLabels(soft), tokenmeter_action: 'block', alertname: 'Custom' });
    expect(mislabelled.body.blocked).toEqual([]);
    expect(await blocks(t)).toEqual([]);
    expect((await t.json('GET', '/api/v1/enforcement', undefined, 'ingest')).body.blocks).toEqual([]);
    const notes = await audit(t, 'alert');
    expect(notes.map((e) => [e.action, e.subject])).toEqual([['notify.firing', 'department:research'], ['notify.firing', 'department:research']]);
    expect(await audit(t, 'block')).toEqual([]);
  });

  it('thresholds under 100 % of a hard quota only notify', async () => {
    const t = await server();
    await ingest(t, 2, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', research);
    for (const threshold of ['80', '90']) {
      const res = await alert(t, 'firing', { ...quotaAlertLabels(research, threshold), alertname: `T${threshold}` });
      expect(res.body.blocked).toEqual([]);
    }
    expect(await blocks(t)).toEqual([]);
    expect((await audit(t, 'alert')).map((e) => e.action)).toEqual(['notify.firing', 'notify.firing']);
  });

  it('an operator rule labelled tokenmeter_action="block" with scope and subject blocks; its resolution lifts the block', async () => {
    const t = await server();
    const labels = { alertname: 'TokenmeterRunawayFeature', severity: 'critical', tokenmeter_action: 'block', scope: 'feature', subject: 'summarize', tokenmeter_feature: 'summarize' };
    const fired = await alert(t, 'firing', labels);
    expect(fired.body.blocked).toHaveLength(1);
    expect(await blocks(t)).toEqual([expect.objectContaining({ scope: 'feature', subject: 'summarize', reason: 'alert', message: 'TokenmeterRunawayFeature firing' })]);
    const resolved = await alert(t, 'resolved', labels);
    expect(resolved.body.unblocked).toEqual(fired.body.blocked);
    expect(await blocks(t)).toEqual([]);
  });

  it('alerts without tokenmeter_action, or without a valid scope and subject, are ignored', async () => {
    const t = await server();
    const res = await t.json('POST', '/api/v1/alerts/alertmanager', amPayload('firing', [
      { labels: { alertname: 'TokenmeterCostSpike', severity: 'warning' } },
      { labels: { alertname: 'X', tokenmeter_action: 'block', scope: 'team', subject: 'a' } },
      { labels: { alertname: 'Y', tokenmeter_action: 'block', scope: 'user' } },
      { labels: { alertname: 'Z', tokenmeter_action: 'explode', scope: 'user', subject: 'a' } },
    ]), 'alertmanager');
    expect(res.body).toEqual({ received: 4, blocked: [], unblocked: [] });
    expect(await blocks(t)).toEqual([]);
    expect(await audit(t, 'alert')).toEqual([]);
  });

  it('a per-subject quota ("*") blocks only the subject the alert names', async () => {
    const t = await server();
    const perUser = { id: 'per-user', scope: 'user', subject: '*', overrides: { bob: 0.01 }, metric: 'cost', period: 'day', limit: 0.1, enforcement: 'hard' };
    await t.json('POST', '/api/v1/quotas', perUser);
    await ingest(t, 2, { user: 'bob' });
    await ingest(t, 2, { user: 'alice' });
    await alert(t, 'firing', quotaAlertLabels({ ...perUser, subject: 'bob' }));
    expect(await blocks(t)).toEqual([expect.objectContaining({ scope: 'user', subject: 'bob', limit: 0.01, usage: 2 * COST, reset_at: '2026-03-16T00:00:00.000Z' })]);
  });
});

describe('Alertmanager receiver: idempotency', () => {
  it('the same payload twice (an HA pair), also concurrently, leaves one block, one audit record and the same feed revision', async () => {
    const t = await server();
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', research);
    const payload = amPayload('firing', [{ labels: quotaAlertLabels(research), startsAt: '2026-03-15T11:30:00Z' }]);
    const first = await t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager');
    expect(first.body.blocked).toHaveLength(1);
    const blocksAfterFirst = await blocks(t);
    const revision = (await t.json('GET', '/api/v1/enforcement', undefined, 'read')).body.revision;
    const again = await Promise.all([1, 2, 3].map(() => t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager')));
    for (const r of again) expect(r.body).toEqual({ received: 1, blocked: [], unblocked: [] });
    expect(await blocks(t)).toEqual(blocksAfterFirst);
    expect((await t.json('GET', '/api/v1/enforcement', undefined, 'read')).body.revision).toBe(revision);
    expect((await audit(t, 'block')).map((e) => e.action)).toEqual(['block']);
  });

  it('two different payloads racing for the same subject still make one block', async () => {
    const t = await server();
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', research);
    const a = amPayload('firing', [{ labels: quotaAlertLabels(research), startsAt: '2026-03-15T11:30:00Z', fingerprint: 'a' }]);
    const b = amPayload('firing', [{ labels: quotaAlertLabels(research), startsAt: '2026-03-15T11:30:00Z', fingerprint: 'b' }]);
    const [ra, rb] = await Promise.all([t.json('POST', '/api/v1/alerts/alertmanager', a, 'alertmanager'), t.json('POST', '/api/v1/alerts/alertmanager', b, 'alertmanager')]);
    expect([...ra.body.blocked, ...rb.body.blocked]).toHaveLength(1);
    expect(await blocks(t)).toHaveLength(1);
  });

  it('a duplicate notification is audited once', async () => {
    const t = await server();
    const soft = { ...research, id: 'soft', enforcement: 'soft' } as const;
    await t.json('POST', '/api/v1/quotas', soft);
    const payload = amPayload('firing', [{ labels: quotaAlertLabels(soft, '80'), startsAt: '2026-03-15T11:00:00Z' }]);
    await t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager');
    await t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager');
    expect(await audit(t, 'alert')).toHaveLength(1);
  });

  it('a replayed resolution of a lifted block changes nothing', async () => {
    const t = await server();
    const labels = { alertname: 'Runaway', tokenmeter_action: 'block', scope: 'feature', subject: 'chat' };
    await alert(t, 'firing', labels);
    await alert(t, 'resolved', labels);
    const again = await alert(t, 'resolved', labels);
    expect(again.body.unblocked).toEqual([]);
    expect((await audit(t, 'block')).map((e) => e.action)).toEqual(['block', 'unblock']);
  });
});

describe('Alertmanager receiver: unblocking', () => {
  it('a resolved alert unblocks only when the ledger confirms usage is under the limit', async () => {
    const t = await server();
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', research);
    const fired = await alert(t, 'firing', quotaAlertLabels(research));
    expect(fired.body.blocked).toHaveLength(1);

    // Resolved while the ledger still shows 0.0225 >= 0.02 (for example a flapping rule): the block stays.
    const early = await alert(t, 'resolved', quotaAlertLabels(research));
    expect(early.body.unblocked).toEqual([]);
    expect(await blocks(t)).toHaveLength(1);

    // A corrected price re-prices the month under the limit (0.002 per call); now the resolution is confirmed.
    expect((await t.json('POST', '/api/v1/prices', { provider: 'openai', model_pattern: 'gpt-4o', effective_from: '2026-03-01', prices: { input: '1', output: '2' } })).status).toBe(201);
    const repriced = await t.json('POST', '/api/v1/prices/reprice', { from: '2026-03-01', to: '2026-04-01', reason: 'contract price' });
    expect(repriced.body).toMatchObject({ records: 3, changed: 3 });
    expect(await blocks(t)).toHaveLength(1); // re-pricing alone does not lift a block
    const resolved = await alert(t, 'resolved', quotaAlertLabels(research));
    expect(resolved.body.unblocked).toEqual(fired.body.blocked);
    expect(await blocks(t)).toEqual([]);
    const trail = await audit(t, 'block');
    expect(trail.map((e) => e.action)).toEqual(['block', 'unblock']);
    expect(trail[1]!.reason).toBe('alert resolved and the ledger confirms usage 0.006 < limit 0.02');
  });

  it('the period boundary unblocks (in the quota\'s time zone), and a late repeat of the old alert does not re-block', async () => {
    const t = await server();
    const berlin = { ...research, id: 'research-berlin', timezone: 'Europe/Berlin' };
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', berlin);
    const fired = await alert(t, 'firing', quotaAlertLabels(berlin));
    // April starts in Berlin at 2026-03-31T22:00Z (CEST, UTC+2).
    expect((await blocks(t))[0]).toMatchObject({ reset_at: '2026-03-31T22:00:00.000Z' });

    t.clock.now = Date.parse('2026-03-31T21:59:59.999Z');
    await t.cp.tick();
    expect(await blocks(t)).toHaveLength(1);

    t.clock.now = Date.parse('2026-03-31T22:00:00.000Z');
    await t.cp.tick();
    expect(await blocks(t)).toEqual([]);
    const trail = await audit(t, 'block');
    expect(trail.map((e) => [e.action, e.actor])).toEqual([['block', 'alertmanager'], ['unblock', 'system']]);
    expect(trail[1]!.reason).toBe('period reset: usage 0 < limit 0.02 in the window from 2026-03-31T22:00:00.000Z');

    // Alertmanager's repeat of the March alert arrives late: the new window is under the limit, so no block.
    const repeat = await alert(t, 'firing', quotaAlertLabels(berlin));
    expect(repeat.body.blocked).toEqual([]);
    expect(await blocks(t)).toEqual([]);
    expect(fired.body.blocked).toHaveLength(1);
  });

  it('at the boundary a subject already over the new window\'s limit stays blocked, with the reset moved on', async () => {
    const t = await server();
    const hourly = { ...research, id: 'research-hourly', metric: 'requests', period: 'hour', limit: 2 };
    await t.json('POST', '/api/v1/quotas', hourly);
    t.clock.now = Date.parse('2026-03-15T11:59:30Z');
    await ingest(t, 2, { department: 'research' }); // 11:58, 11:59
    await alert(t, 'firing', quotaAlertLabels(hourly), '2026-03-15T11:59:10Z');
    expect((await blocks(t))[0]).toMatchObject({ reset_at: '2026-03-15T12:00:00.000Z' });
    // Two late-reported calls made in the 12:00 hour already reach that window's limit.
    await t.json('POST', '/api/v1/usage', { records: [record({ department: 'research', time: '2026-03-15T12:00:01Z' }), record({ department: 'research', time: '2026-03-15T12:00:02Z' })] }, 'ingest');
    t.clock.now = Date.parse('2026-03-15T12:00:05Z');
    await t.cp.tick();
    expect(await blocks(t)).toEqual([expect.objectContaining({ usage: 2, reset_at: '2026-03-15T13:00:00.000Z' })]);
    t.clock.now = Date.parse('2026-03-15T13:00:00Z');
    await t.cp.tick();
    expect(await blocks(t)).toEqual([]);
  });

  it('the reset timer lifts blocks by itself once the clock passes the boundary', async () => {
    const t = await server({ config: { resetCheckMillis: 50 } });
    const daily = { ...research, id: 'research-daily', period: 'day' };
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', daily);
    await alert(t, 'firing', quotaAlertLabels(daily));
    expect(await blocks(t)).toHaveLength(1);
    t.clock.now = Date.parse('2026-03-16T00:00:00Z');
    await waitFor(async () => (await blocks(t)).length === 0, { what: 'the period reset to lift the block' });
    expect((await audit(t, 'block')).map((e) => e.action)).toEqual(['block', 'unblock']);
  });

  it('a quota changed to soft, or given a limit above usage, lifts its blocks at once (audited)', async () => {
    const t = await server();
    await t.json('POST', '/api/v1/quotas', research);
    const other = { ...research, id: 'research-tokens', metric: 'tokens', limit: 4000 };
    await t.json('POST', '/api/v1/quotas', other);
    await ingest(t, 3, { department: 'research' }); // 0.0225 USD, 4500 tokens
    await alert(t, 'firing', quotaAlertLabels(research));
    await alert(t, 'firing', quotaAlertLabels(other));
    expect(await blocks(t)).toHaveLength(2);

    // Raising the cost limit still under usage only updates the block.
    await t.json('PATCH', '/api/v1/quotas/research-monthly', { limit: 0.021 });
    expect((await blocks(t)).find((b) => b.quota_id === 'research-monthly')).toMatchObject({ limit: 0.021, usage: 0.0225 });
    // Above usage: lifted.
    await t.json('PATCH', '/api/v1/quotas/research-monthly', { limit: 1 });
    // Made soft: lifted although usage is over.
    await t.json('PATCH', '/api/v1/quotas/research-tokens', { enforcement: 'soft' });
    expect(await blocks(t)).toEqual([]);
    const reasons = (await audit(t, 'block')).filter((e) => e.action === 'unblock').map((e) => [e.actor, e.reason]);
    expect(reasons).toEqual([
      ['admin', 'quota research-monthly changed: the ledger shows usage 0.0225 < limit 1'],
      ['admin', 'quota research-tokens is now soft'],
    ]);
  });

  it('a manual block with a reset time lifts at that time; one without stays until lifted by hand', async () => {
    const t = await server();
    await t.json('POST', '/api/v1/blocks', { scope: 'user', subject: 'temp', reset_at: '2026-03-15T13:00:00+01:00' });
    await t.json('POST', '/api/v1/blocks', { scope: 'user', subject: 'forever' });
    expect((await blocks(t)).find((b) => b.subject === 'temp')).toMatchObject({ reason: 'manual', reset_at: '2026-03-15T12:00:00.000Z' });
    t.clock.now = NOW + 1;
    await t.cp.tick();
    expect((await blocks(t)).map((b) => b.subject)).toEqual(['forever']);
    expect((await audit(t, 'block')).at(-1)).toMatchObject({ action: 'unblock', actor: 'system', subject: 'user:temp', reason: 'reset time 2026-03-15T12:00:00.000Z reached' });
    t.clock.now = Date.parse('2027-01-01T00:00:00Z');
    await t.cp.tick();
    expect((await blocks(t)).map((b) => b.subject)).toEqual(['forever']);
  });

  it('deleting a quota lifts its blocks', async () => {
    const t = await server();
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', research);
    await alert(t, 'firing', quotaAlertLabels(research));
    expect((await t.call('DELETE', '/api/v1/quotas/research-monthly')).status).toBe(204);
    expect(await blocks(t)).toEqual([]);
    expect((await audit(t, 'block')).at(-1)).toMatchObject({ action: 'unblock', reason: 'quota research-monthly deleted' });
  });
});

describe('Alertmanager receiver: audit, input and auth', () => {
  it('every block and unblock is readable through the audit API, with actor, subject, reason and the block', async () => {
    const t = await server();
    await ingest(t, 3, { department: 'research' });
    await t.json('POST', '/api/v1/quotas', research);
    await alert(t, 'firing', quotaAlertLabels(research));
    t.clock.now = Date.parse('2026-04-01T00:00:00Z');
    await t.cp.tick();
    const manual = await t.json('POST', '/api/v1/blocks', { scope: 'user', subject: 'mallory', reason: 'abuse report' });
    await t.call('DELETE', `/api/v1/blocks/${manual.body.id}?reason=cleared`);
    const trail = await audit(t, 'block');
    expect(trail.map((e) => [e.action, e.actor, e.subject, e.time])).toEqual([
      ['block', 'alertmanager', 'department:research', '2026-03-15T12:00:00.000Z'],
      ['unblock', 'system', 'department:research', '2026-04-01T00:00:00.000Z'],
      ['block', 'admin', 'user:mallory', '2026-04-01T00:00:00.000Z'],
      ['unblock', 'admin', 'user:mallory', '2026-04-01T00:00:00.000Z'],
    ]);
    expect(trail[0]!.reason).toBe('alert TokenmeterQuotaThreshold firing since 2026-03-15T11:30:00Z (usage 0.0225 of limit 0.02)');
    expect(trail[0]!.data).toMatchObject({ scope: 'department', subject: 'research', quota_id: 'research-monthly' });
    expect(trail.slice(2).map((e) => e.reason)).toEqual(['abuse report', 'cleared']);
    // Time filters.
    const april = await t.json('GET', '/api/v1/audit?kind=block&from=2026-04-01', undefined, 'read');
    expect(april.body.entries).toHaveLength(3);
    const limited = await t.json('GET', '/api/v1/audit?kind=block&limit=1', undefined, 'read');
    expect(limited.body.entries).toHaveLength(1);
  });

  it('a wrong payload version or a malformed payload → 400 naming the field; nothing changes', async () => {
    const t = await server();
    const post = (body: unknown, raw?: string): Promise<Response> => t.call('POST', '/api/v1/alerts/alertmanager', { token: 'alertmanager', ...(raw !== undefined ? { raw } : { body }) });
    const good = amPayload('firing', [{ labels: { alertname: 'R', tokenmeter_action: 'block', scope: 'user', subject: 'eve' } }]) as Record<string, unknown>;

    const v3 = await post({ ...good, version: '3' });
    expect(v3.status).toBe(400);
    const e3 = (await err(v3));
    expect(e3.details).toEqual([{ path: 'version', message: 'must be "4" (Alertmanager webhook payload version 4)' }]);
    expect(e3.message).toBe('invalid request body: version: must be "4" (Alertmanager webhook payload version 4)');

    const noVersion = await post({ ...good, version: undefined });
    expect((await err(noVersion)).details.map((d) => d.path)).toEqual(['version']);

    const alerts = (good.alerts as Array<Record<string, unknown>>);
    const badAlert = await post({ ...good, alerts: [{ ...alerts[0], status: 'exploded', labels: { scope: 5 } }] });
    expect(badAlert.status).toBe(400);
    expect((await err(badAlert)).details.map((d) => d.path).sort()).toEqual(['alerts[0].labels.scope', 'alerts[0].status']);

    const notArray = await post({ ...good, alerts: 'many' });
    expect((await err(notArray)).details).toEqual([{ path: 'alerts', message: 'Invalid input: expected array, received string' }]);

    const broken = await post(undefined, '{"version":"4","alerts":[');
    expect(broken.status).toBe(400);
    expect((await err(broken)).code).toBe('invalid_json');

    expect(await blocks(t)).toEqual([]);
    expect(await audit(t, 'block')).toEqual([]);
    expect(await audit(t, 'alert')).toEqual([]);
  });

  it('the receiver needs the alertmanager (or admin) token: none or unknown → 401, another role → 403', async () => {
    const t = await server();
    const payload = amPayload('firing', [{ labels: { alertname: 'R', tokenmeter_action: 'block', scope: 'user', subject: 'eve' } }]);
    expect((await t.call('POST', '/api/v1/alerts/alertmanager', { token: null, body: payload })).status).toBe(401);
    expect((await t.call('POST', '/api/v1/alerts/alertmanager', { token: null, body: payload, headers: { authorization: 'Bearer am-tokenX' } })).status).toBe(401);
    for (const role of ['read', 'ingest'] as const) {
      const res = await t.call('POST', '/api/v1/alerts/alertmanager', { token: role, body: payload });
      expect(res.status).toBe(403);
      expect((await err(res)).message).toBe(`the ${role} token may not POST this resource`);
    }
    expect(await blocks(t)).toEqual([]);
    expect((await t.call('POST', '/api/v1/alerts/alertmanager', { token: 'admin', body: payload })).status).toBe(200);
    expect(await blocks(t)).toHaveLength(1);
  });
});

describe('notify de-duplication has no cliff', () => {
  it('a replayed payload of 12,000 notify alerts adds no audit record, however large, and after a restart', async () => {
    const t = await server({ dbFile: true, config: { bodyLimitBytes: 64 * 1024 * 1024, sqliteSynchronous: 'normal' } });
    const alerts = Array.from({ length: 12_000 }, (_, i) => ({
      labels: { alertname: 'Spend', tokenmeter_action: 'notify', scope: 'user', subject: `u${i}` }, fingerprint: `fp${i}`, startsAt: '2026-03-15T11:00:00Z',
    }));
    const payload = amPayload('firing', alerts);
    const count = async (target: TestServer): Promise<number> =>
      Number((await target.cp.store.readQuery("SELECT COUNT(*) AS n FROM audit WHERE kind = 'alert'"))[0]!.n);
    expect((await t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager')).status).toBe(200);
    expect(await count(t)).toBe(12_000);
    expect((await t.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager')).status).toBe(200);
    expect(await count(t)).toBe(12_000);
    await t.close();
    const again = await startTestServer({ now: NOW, config: { ...t.cp.config } });
    try {
      await again.json('POST', '/api/v1/alerts/alertmanager', payload, 'alertmanager');
      expect(await count(again)).toBe(12_000);
      // A new firing (another startsAt) of the same alert is audited once more.
      await again.json('POST', '/api/v1/alerts/alertmanager', amPayload('firing', [{ ...alerts[0]!, startsAt: '2026-03-15T11:45:00Z' }]), 'alertmanager');
      expect(await count(again)).toBe(12_001);
    } finally {
      await again.stop();
    }
  }, 60_000);
});

describe('blocks at ingest', () => {
  it('a batch that takes a hard quota to its limit is blocked before the sender hears 200; the alert then changes nothing', async () => {
    const t = await server();
    await t.json('POST', '/api/v1/quotas', research);
    await ingest(t, 2, { department: 'research', user: 'alice' }); // 0.015 of 0.02
    expect(await blocks(t)).toEqual([]);
    await ingest(t, 1, { department: 'research', user: 'bob' }); // 0.0225 ≥ 0.02
    const [block] = await blocks(t);
    expect(block).toMatchObject({ scope: 'department', subject: 'research', reason: 'quota', quota_id: 'research-monthly', limit: 0.02, usage: 3 * COST, reset_at: '2026-04-01T00:00:00.000Z' });
    const feed = await t.json('GET', '/api/v1/enforcement', undefined, 'ingest');
    expect(feed.body.blocks.map((b: { id: string }) => b.id)).toEqual([block!.id]);
    const trail = await audit(t, 'block');
    expect(trail.map((e) => [e.action, e.actor])).toEqual([['block', 'ledger']]);
    expect(trail[0]!.reason).toBe('ingest: usage 0.0225 reached the limit 0.02 of hard quota research-monthly');
    // The alert arrives later (Prometheus → Alertmanager): same block id, nothing new.
    const res = await alert(t, 'firing', quotaAlertLabels(research));
    expect(res.body.blocked).toEqual([]);
    expect(await audit(t, 'block')).toHaveLength(1);
  });

  it('soft quotas, late records for a past window and other subjects block nothing at ingest', async () => {
    const t = await server();
    await t.json('POST', '/api/v1/quotas', { ...research, id: 'soft', enforcement: 'soft' });
    await t.json('POST', '/api/v1/quotas', { id: 'bob-daily', scope: 'user', subject: '*', overrides: { bob: 1 }, metric: 'requests', period: 'day', limit: 5, enforcement: 'hard' });
    await ingest(t, 4, { department: 'research', user: 'alice' });
    // Yesterday's late records take bob over his limit of 1 in yesterday's window only.
    const late = Array.from({ length: 3 }, (_, i) => record({ user: 'bob', time: new Date(NOW - 86_400_000 - i * 60_000).toISOString() }));
    expect((await t.json('POST', '/api/v1/usage', { records: late }, 'ingest')).body.accepted).toBe(3);
    expect(await blocks(t)).toEqual([]);
    await ingest(t, 1, { user: 'bob' });
    expect((await blocks(t)).map((b) => [b.quota_id, b.subject, b.limit, b.usage])).toEqual([['bob-daily', 'bob', 1, 1]]);
  });
});
