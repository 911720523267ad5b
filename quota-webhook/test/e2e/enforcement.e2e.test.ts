/**
 * Everything real but the LLM (stack.js): a service under the SDK's register
 * hook calls the mock provider; its usage records reach the control plane's
 * ledger; Prometheus scrapes the exact quota gauges and evaluates the shipped
 * rules every second; the shipped Alertmanager config routes the alerts to the
 * control plane's receiver; blocks reach the SDK over the enforcement stream.
 * The tests run in order on one stack (a later one relies on the blocks and
 * records of the earlier ones); each waits for an outcome, never for a time.
 */
import { formatUsd, parseUsd, PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Attribution, type CallResult, type ReceivedWebhook, type ServiceError, type Stack, type Usage } from './stack.js';

const MODEL = 'gpt-4.1';
const catalog = PriceCatalog.bundled();
/** First alert: Prometheus discovers its Alertmanager a few seconds after start; then ~3 s per hop chain. */
const ALERT_WAIT = { timeoutMillis: 25_000, intervalMillis: 100 };

const QUOTAS = {
  alice: { id: 'q-alice', scope: 'user', subject: 'alice', metric: 'cost', period: 'month', limit: 1, enforcement: 'hard' },
  drafts: { id: 'q-drafts', scope: 'feature', subject: 'drafts', metric: 'cost', period: 'month', limit: 0.1, enforcement: 'soft' },
  research: { id: 'q-research', scope: 'department', subject: 'research', metric: 'cost', period: 'month', limit: 0.5, enforcement: 'hard' },
} as const;

interface AuditEntry {
  id: number;
  kind: string;
  action: string;
  actor: string;
  subject: string | null;
  reason: string | null;
  data: { labels?: Record<string, string>; quota_id?: string; id?: string } | null;
}

interface Block {
  id: string;
  scope: string;
  subject: string;
  reason: string;
  quota_id?: string;
  limit?: number;
  usage?: number;
  reset_at?: string;
}

let stack: Stack;

beforeAll(async () => {
  // Records reported every 200 ms and resets checked every 100 ms keep the test short; everything else is as shipped.
  stack = await startStack({ reportIntervalMillis: 200, resetCheckMillis: 100 });
  for (const quota of Object.values(QUOTAS)) await stack.api('POST', '/api/v1/quotas', quota);
  for (const [user, department] of [['ann', 'research'], ['bob', 'research'], ['carol', 'sales']] as const) {
    await stack.api('PUT', `/api/v1/directory/users/${user}`, { department, org: 'acme' });
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** Exact cost (pico-USD) of one call at the bundled list price. */
function cost(usage: Usage): bigint {
  const tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, ...usage };
  const price = catalog.price({ provider: 'openai', model: MODEL, timeMs: Date.now(), tokens });
  expect(price.priced).toBe(true);
  return price.costPicoUsd;
}

async function spend(attribution: Attribution, usage: Usage): Promise<void> {
  const result = await stack.service.call({ attribution, model: MODEL, usage });
  expect(result).toMatchObject({ ok: true });
}

/** A call the SDK must refuse; returns the refusal. Asserts nothing left the process. */
async function refused(attribution: Attribution): Promise<ServiceError> {
  const served = stack.mock.requests().length;
  const result: CallResult = await stack.service.call({ attribution, model: MODEL, usage: { input: 10 } });
  if (result.ok) throw new Error(`the call of ${JSON.stringify(attribution)} went through`);
  expect(stack.mock.requests()).toHaveLength(served);
  return result.error;
}

async function allowed(attribution: Attribution): Promise<void> {
  const served = stack.mock.requests().length;
  await spend(attribution, { input: 10 });
  expect(stack.mock.requests()).toHaveLength(served + 1);
}

async function audit(): Promise<AuditEntry[]> {
  return (await stack.api<{ entries: AuditEntry[] }>('GET', '/api/v1/audit?limit=10000', undefined, 'read')).entries;
}

async function blocks(): Promise<Block[]> {
  return (await stack.api<{ blocks: Block[] }>('GET', '/api/v1/blocks', undefined, 'read')).blocks;
}

/** Firing quota alerts of `quotaId` as Alertmanager first delivered them, in arrival order. */
function delivered(quotaId: string): Array<{ threshold: string; action: string; webhook: ReceivedWebhook }> {
  const all = stack.webhooks.flatMap((webhook) =>
    webhook.body.alerts
      .filter((a) => a.status === 'firing' && a.labels.quota_id === quotaId)
      .map((a) => ({ threshold: a.labels.threshold!, action: a.labels.tokenmeter_action!, webhook })),
  );
  return all.filter((d, i) => all.findIndex((e) => e.threshold === d.threshold) === i);
}

/** Exact USD rounded down to whole micro-dollars, as a fixed 6-digit string. */
function microUsd(pico: bigint): string {
  const micro = pico / 1_000_000n;
  return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, '0')}`;
}

/** The audit record of the receiver acting on the quota's alert at `threshold`. */
function receivedAlert(entries: AuditEntry[], quotaId: string, threshold: string): AuditEntry | undefined {
  return entries.find((e) => e.kind === 'alert' && e.action === 'notify.firing' && e.data?.labels?.quota_id === quotaId && e.data.labels.threshold === threshold);
}

function blockAudit(entries: AuditEntry[], action: 'block' | 'unblock', quotaId: string): AuditEntry | undefined {
  return entries.find((e) => e.kind === 'block' && e.action === action && e.data?.quota_id === quotaId);
}

async function waitForSdk(attribution: Attribution, wanted: 'refused' | 'allowed'): Promise<void> {
  await waitFor(async () => (await stack.service.check(attribution)).allowed === (wanted === 'allowed'), { timeoutMillis: 10_000, what: `the SDK to have ${JSON.stringify(attribution)} ${wanted}` });
}

describe('quota enforcement through Prometheus and Alertmanager', () => {
  const aliceCalls: Usage[] = [
    { input: 300_001, cache_read: 200_003, output: 17_777 }, // 84 %
    { input: 30_000, output: 2_345 }, // 92 %
    { input: 40_000, output: 1_111 }, // 101 %
  ];

  it('80 %, 90 % and 100 % of a hard monthly cost quota reach the webhook in order; the SDK then refuses the subject', async () => {
    const alice = { org: 'acme', user: 'alice' };
    const limit = parseUsd('1');
    let spent = 0n;
    for (const [step, threshold] of [[0, '80'], [1, '90'], [2, '100']] as const) {
      spent += cost(aliceCalls[step]!);
      await spend(alice, aliceCalls[step]!);
      // The staging is what the test means: each call crosses exactly one more threshold.
      expect((spent * 100n) / limit).toBeGreaterThanOrEqual(BigInt(threshold));
      expect((spent * 100n) / limit).toBeLessThan(BigInt(threshold) + 10n);
      await waitFor(() => delivered('q-alice').some((d) => d.threshold === threshold), { ...ALERT_WAIT, what: `the ${threshold} % alert at the webhook` });
      // Nothing above the threshold crossed so far was delivered.
      expect(delivered('q-alice').map((d) => d.threshold)).toEqual(['80', '90', '100'].slice(0, step + 1));
    }
    expect(delivered('q-alice').map((d) => d.action)).toEqual(['notify', 'notify', 'block']);

    // The control plane recorded them in the same order: two notifications, then the block.
    const block = await waitFor(async () => (await blocks()).find((b) => b.quota_id === 'q-alice'), { what: 'the block' });
    expect(block).toMatchObject({ scope: 'user', subject: 'alice', reason: 'quota', limit: 1 });
    const entries = await audit();
    const ids = [receivedAlert(entries, 'q-alice', '80')?.id, receivedAlert(entries, 'q-alice', '90')?.id, blockAudit(entries, 'block', 'q-alice')?.id];
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect([...ids].sort((a, b) => a! - b!)).toEqual(ids);
    // The ledger blocked at ingest, the moment the batch crossed 100 %; the 100 % alert still reached the
    // receiver (delivered above) and found the same block: one block record, placed by the ledger.
    expect(blockAudit(entries, 'block', 'q-alice')).toMatchObject({ actor: 'ledger', subject: 'user:alice' });
    expect(entries.filter((e) => e.kind === 'block' && e.action === 'block' && (e.data as { quota_id?: string }).quota_id === 'q-alice')).toHaveLength(1);

    // The period total behind the block is the exact sum of the three calls.
    const status = await stack.api('GET', '/api/v1/quotas/q-alice/status', undefined, 'read');
    expect(status.windows).toEqual([expect.objectContaining({ subject: 'alice', usage_usd: formatUsd(spent), limit_usd: '1' })]);

    // Alertmanager holds the lower thresholds back while the higher ones fire (the shipped inhibitions).
    await waitFor(async () => {
      const response = await fetch(`${stack.alertmanager.url}/api/v2/alerts?filter=${encodeURIComponent('quota_id="q-alice"')}`);
      const alerts = (await response.json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
      const state = Object.fromEntries(alerts.map((a) => [a.labels.threshold, a.status.state]));
      return state['80'] === 'suppressed' && state['90'] === 'suppressed' && state['100'] === 'active';
    }, { what: 'the 80 and 90 % alerts inhibited by the 100 % one' });

    await waitForSdk(alice, 'refused');
    const error = await refused(alice);
    expect(error).toMatchObject({ name: 'QuotaExceededError', status: 429, code: 'quota_exceeded', scope: 'user', subject: 'alice', quotaId: 'q-alice', reason: 'quota', blockId: block.id, limit: 1 });
    expect(error.usage).toBeCloseTo(Number(formatUsd(spent)), 9);
    expect(error.message).toContain('user "alice" is blocked by quota q-alice');
    // Another user of the same org is not affected.
    await allowed({ org: 'acme', user: 'alex' });
  }, 60_000);

  it('a soft quota only notifies: its 100 % alert is recorded, nothing is blocked', async () => {
    const sam = { org: 'acme', user: 'sam', feature: 'drafts' };
    await spend(sam, { input: 60_000 }); // 0.12 USD of 0.10
    await waitFor(() => delivered('q-drafts').some((d) => d.threshold === '100'), { ...ALERT_WAIT, what: 'the soft quota\'s 100 % alert' });
    expect(delivered('q-drafts').find((d) => d.threshold === '100')?.action).toBe('notify');
    const entries = await waitFor(async () => {
      const all = await audit();
      return receivedAlert(all, 'q-drafts', '100') ? all : undefined;
    }, { what: 'the notification in the audit log' });
    expect(receivedAlert(entries, 'q-drafts', '100')).toMatchObject({ actor: 'alertmanager', subject: 'feature:drafts' });
    expect(blockAudit(entries, 'block', 'q-drafts')).toBeUndefined();
    expect((await blocks()).filter((b) => b.quota_id === 'q-drafts' || b.subject === 'drafts')).toEqual([]);
    expect(await stack.service.check(sam)).toEqual({ allowed: true });
    await allowed(sam);
  }, 40_000);

  it('a department quota blocks every user of the department and no one else', async () => {
    // Ann's calls carry the department; Bob's only his user id: the ledger adds the department from the directory.
    await spend({ org: 'acme', department: 'research', user: 'ann' }, { input: 150_000 }); // 0.30 USD
    await spend({ org: 'acme', user: 'bob' }, { input: 125_000 }); // 0.25 USD: 110 % of 0.50 with Ann's
    const block = await waitFor(async () => (await blocks()).find((b) => b.quota_id === 'q-research'), { ...ALERT_WAIT, what: 'the department block' });
    expect(block).toMatchObject({ scope: 'department', subject: 'research', reason: 'quota' });
    await stack.service.flush();
    const bobs = await stack.api<{ records: Array<{ department?: string }> }>('GET', '/api/v1/usage?user=bob', undefined, 'read');
    expect(bobs.records.map((r) => r.department)).toEqual(['research']);

    await waitForSdk({ department: 'research' }, 'refused');
    for (const user of ['ann', 'bob', 'dora']) {
      const error = await refused({ org: 'acme', department: 'research', user });
      expect(error).toMatchObject({ name: 'QuotaExceededError', status: 429, scope: 'department', subject: 'research', quotaId: 'q-research', blockId: block.id });
    }
    // Calls that carry only the user are refused too: the block lists the directory's members of the department.
    for (const user of ['ann', 'bob']) {
      const error = await refused({ org: 'acme', user });
      expect(error).toMatchObject({ name: 'QuotaExceededError', scope: 'department', subject: 'research', quotaId: 'q-research' });
    }
    // Another department, and a user with no department, go on.
    await allowed({ org: 'acme', department: 'sales', user: 'carol' });
    await allowed({ org: 'acme', user: 'carol' });
    await allowed({ org: 'acme', user: 'zed' });
    expect((await blocks()).map((b) => `${b.scope}:${b.subject}`).sort()).toEqual(['department:research', 'user:alice']);
  }, 40_000);

  it('a replayed webhook payload and replayed usage records change nothing', async () => {
    const blockPayload = delivered('q-alice').find((d) => d.threshold === '100')!.webhook;
    const notifyPayload = delivered('q-alice').find((d) => d.threshold === '80')!.webhook;
    const before = { audit: await audit(), blocks: await blocks(), feed: await stack.request('GET', '/api/v1/enforcement', undefined, 'read') };
    const status = async (): Promise<unknown> => stack.api('GET', '/api/v1/quotas/q-alice/status', undefined, 'read');
    const usageBefore = await status();

    // Exactly the bytes Alertmanager sent, twice each (as an HA pair would).
    for (const webhook of [blockPayload, notifyPayload, blockPayload, notifyPayload]) {
      const response = await stack.request('POST', '/api/v1/alerts/alertmanager', webhook.raw, 'alertmanager');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: 1, blocked: [], unblocked: [] });
    }
    // The records of Alice's calls, sent again with their ids.
    const stored = await stack.api<{ records: Array<Record<string, unknown>> }>('GET', '/api/v1/usage?user=alice', undefined, 'read');
    expect(stored.records).toHaveLength(3);
    const replay = stored.records.map((r) => ({
      id: r.id, time: r.time, org: r.org, user: r.user, provider: r.provider, operation: r.operation, request_model: r.request_model,
      response_model: r.response_model, tokens: r.tokens, cost_usd: r.sender_cost_usd, outcome: r.outcome, latency_ms: r.latency_ms, source: r.source,
    }));
    expect(await stack.api('POST', '/api/v1/usage', { records: replay }, 'ingest')).toEqual({ accepted: 0, duplicates: 3, unpriced: 0, rejected: [] });

    expect(await audit()).toEqual(before.audit);
    expect(await blocks()).toEqual(before.blocks);
    const feed = await stack.request('GET', '/api/v1/enforcement', undefined, 'read');
    expect(feed.headers.get('etag')).toBe(before.feed.headers.get('etag'));
    expect(feed.body.revision).toBe(before.feed.body.revision);
    expect(await status()).toEqual(usageBefore);
  });

  it('a new period unblocks: the control plane restarted in the next month lifts the blocks, and the SDK lets the calls through', async () => {
    const held = (await blocks()).filter((b) => b.quota_id === 'q-alice' || b.quota_id === 'q-research');
    expect(held).toHaveLength(2);
    const now = new Date();
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    expect(held.map((b) => b.reset_at)).toEqual([new Date(nextMonth).toISOString(), new Date(nextMonth).toISOString()]);
    // One minute into the next month, by the control plane's clock (a test-only offset; nothing else changes).
    await stack.controlPlane.restart({ TOKENMETER_TEST_CLOCK_OFFSET_MS: String(nextMonth + 60_000 - Date.now()) });

    await waitFor(async () => (await blocks()).length === 0, { what: 'the blocks to lift' });
    const entries = await audit();
    for (const quotaId of ['q-alice', 'q-research']) {
      const unblock = blockAudit(entries, 'unblock', quotaId);
      expect(unblock).toMatchObject({ actor: 'system' });
      expect(unblock?.reason).toMatch(/^period reset: usage 0 < limit/);
    }
    const status = await stack.api('GET', '/api/v1/quotas/q-alice/status', undefined, 'read');
    expect(status.windows[0]).toMatchObject({ window_start: new Date(nextMonth).toISOString(), usage_usd: '0' });

    // The SDK reconnects to the restarted control plane and receives the state without the blocks.
    await waitForSdk({ org: 'acme', user: 'alice' }, 'allowed');
    await waitForSdk({ org: 'acme', department: 'research', user: 'ann' }, 'allowed');
    await allowed({ org: 'acme', user: 'alice' });
    await allowed({ org: 'acme', department: 'research', user: 'ann' });
  }, 40_000);

  it('the ledger total equals the mock provider\'s usage priced by the catalog, to the micro-dollar', async () => {
    const served = stack.mock.requests();
    expect(served.every((r) => r.status === 200 && r.usage !== undefined)).toBe(true);
    let expected = 0n;
    for (const r of served) {
      const price = catalog.price({ provider: r.provider, model: r.model, timeMs: Date.parse(r.time), tokens: r.usage! });
      expect(price.priced).toBe(true);
      expected += price.costPicoUsd;
    }
    // Refused calls never reached the mock, and the SDK reports only calls that were made.
    await stack.service.flush();
    const records = await waitFor(async () => {
      const page = await stack.api<{ records: Array<{ cost_usd: string }> }>('GET', '/api/v1/usage?limit=10000', undefined, 'read');
      return page.records.length === served.length ? page.records : undefined;
    }, { what: `${served.length} ledger records` });
    const total = records.reduce((sum, r) => sum + parseUsd(r.cost_usd), 0n);
    const grouped = await stack.api<{ groups: Array<{ key: string; cost_usd: string; requests: number }> }>('GET', '/api/v1/usage?group_by=provider', undefined, 'read');
    expect(grouped.groups).toEqual([expect.objectContaining({ key: 'openai', requests: served.length })]);

    expect(microUsd(total)).toBe(microUsd(expected));
    expect(grouped.groups[0]!.cost_usd).toBe(formatUsd(expected));
    expect(formatUsd(total)).toBe(formatUsd(expected));
  });
});
