/**
 * The SDK's link against the real control plane and the mock provider, with
 * the real OpenAI SDK patched by the SDK: usage records in the ledger, blocks
 * refusing calls locally, and fail-open / fail-closed when the control plane
 * is killed.
 */
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { waitFor } from '@tokenmeter/testkit';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '../../src/attribution/context.js';
import { addSink, type FinishedCall } from '../../src/core/hooks.js';
import { ProviderUnavailableError, QuotaExceededError, startControlLink, type ControlLink } from '../../src/control/index.js';
import { enableInstrumentations } from '../../src/instrumentations/index.js';
import type { EnforcementMode } from '../../src/config/types.js';
import type { UsageRecord } from '../../src/protocol.js';
import { startControlPlane, testLinkOptions, type TestControlPlane } from './control-plane.js';
import { installMeterProvider, type CounterReader } from './metric-reader.js';

let cp: TestControlPlane;
let mock: RunningMockLlm;
let openai: OpenAI;
let meters: CounterReader;
let disable: () => void;
let removeSink: () => void;
let link: ControlLink | undefined;
const calls: FinishedCall[] = [];
const warnings: string[] = [];

beforeAll(async () => {
  meters = installMeterProvider();
  [cp, mock] = await Promise.all([startControlPlane(), startMockLlm()]);
  disable = enableInstrumentations({ openaiIncludeStreamUsage: true, modules: { openai: [openaiModule] } });
  removeSink = addSink((call) => calls.push(call));
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  await link?.shutdown();
  removeSink?.();
  disable?.();
  await Promise.all([cp?.stop(), mock?.stop()]);
});

afterEach(async () => {
  await link?.shutdown();
  link = undefined;
  calls.length = 0;
  warnings.length = 0;
  mock.clearRequests();
});

async function connect(enforcement: EnforcementMode = 'fail-open'): Promise<ControlLink> {
  link = startControlLink(
    testLinkOptions(cp, {
      enforcement,
      maxBufferedRecords: 1000,
      serviceName: 'link-test',
      initialRetryMillis: 50,
      logger: { warn: (m) => warnings.push(m), info: () => undefined },
    }),
  );
  expect(await link.ready(10_000)).toBe(true);
  return link;
}

// async: a refusal thrown synchronously by the patched create() still arrives as a rejection here.
async function chat(attribution: Record<string, string>): Promise<unknown> {
  return withAttribution(attribution, () =>
    openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello there' }], max_completion_tokens: 5 }),
  );
}

async function ledger(query: string): Promise<UsageRecord[]> {
  const body = await cp.api<{ records: UsageRecord[] }>('GET', `/api/v1/usage?${query}&limit=1000`);
  return body.records;
}

describe('usage reporter against the real control plane', () => {
  it('stores one record per call with the call id, attribution, tokens and exact cost', async () => {
    await connect();
    for (let i = 0; i < 5; i++) await chat({ org: 'ledger-org', feature: 'summaries', user: `u${i}` });
    await link!.forceFlush();
    const records = await ledger('org=ledger-org');
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => r.id))).toEqual(new Set(calls.map((c) => c.id)));
    const first = calls[0]!;
    const stored = records.find((r) => r.id === first.id)!;
    expect(stored).toMatchObject({ org: 'ledger-org', feature: 'summaries', provider: 'openai', operation: 'chat', outcome: 'ok', source: 'sdk' });
    expect(stored.tokens).toEqual(first.tokens);
    expect(stored.time).toBe(new Date(first.startTimeMs).toISOString());
  });

  it('keeps records while the control plane is down and delivers them with the same ids once it is back', async () => {
    await connect();
    await cp.kill();
    for (let i = 0; i < 3; i++) await chat({ org: 'outage-org' });
    await link!.forceFlush();
    expect(link!.reporter.buffered).toBe(3);
    await cp.restart();
    await waitFor(async () => (await ledger('org=outage-org')).length === 3, { timeoutMillis: 15_000, what: 'the buffered records in the ledger' });
    const stored = await ledger('org=outage-org');
    expect(stored.map((r) => r.id).sort()).toEqual(calls.map((c) => c.id).sort());
    expect(link!.reporter.buffered).toBe(0);
  });
});

describe('enforcement against the real control plane', () => {
  it('a block refuses the call with QuotaExceededError before any request leaves, and its removal lets calls through', async () => {
    await connect();
    const block = await cp.api<{ id: string }>('POST', '/api/v1/blocks', { scope: 'feature', subject: 'runaway', message: 'loop detected' });
    await waitFor(() => link!.state?.blocks.some((b) => b.id === block.id), { what: 'the block in the feed' });
    const error = await chat({ org: 'acme', feature: 'runaway' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ scope: 'feature', subject: 'runaway', status: 429, blockId: block.id });
    expect((error as Error).message).toContain('feature "runaway" is blocked');
    expect(mock.requests()).toHaveLength(0);
    expect(calls.at(-1)).toMatchObject({ outcome: 'blocked', attribution: { feature: 'runaway' } });
    // Other features, and the same feature once unblocked, go through.
    await chat({ org: 'acme', feature: 'other' });
    await cp.api('DELETE', `/api/v1/blocks/${block.id}`);
    await waitFor(() => !link!.state?.blocks.some((b) => b.id === block.id), { what: 'the unblock in the feed' });
    await chat({ org: 'acme', feature: 'runaway' });
    expect(mock.requests()).toHaveLength(2);
  });

  it('every scope of the attribution applies: a department block refuses a user of it', async () => {
    await connect();
    const block = await cp.api<{ id: string }>('POST', '/api/v1/blocks', { scope: 'department', subject: 'research' });
    await waitFor(() => link!.state?.blocks.some((b) => b.id === block.id), { what: 'the block in the feed' });
    await expect(chat({ org: 'acme', department: 'research', user: 'ann', feature: 'chat' })).rejects.toMatchObject({ scope: 'department', subject: 'research' });
    await cp.api('DELETE', `/api/v1/blocks/${block.id}`);
  });

  it('fail-open: with the control plane killed, calls go on with the last state; logged once and counted', async () => {
    await connect('fail-open');
    const block = await cp.api<{ id: string }>('POST', '/api/v1/blocks', { scope: 'user', subject: 'mallory' });
    await waitFor(() => link!.state?.blocks.some((b) => b.id === block.id), { what: 'the block in the feed' });
    const before = await meters.sum('tokenmeter.enforcement.unavailable', { 'tokenmeter.enforcement.mode': 'fail-open' });
    await cp.kill();
    await waitFor(() => link!.status === 'down', { what: 'the link to notice the outage' });
    for (let i = 0; i < 3; i++) await chat({ org: 'acme', user: 'bob' });
    expect(mock.requests()).toHaveLength(3);
    // The last known block still holds.
    await expect(chat({ org: 'acme', user: 'mallory' })).rejects.toBeInstanceOf(QuotaExceededError);
    expect(warnings.filter((m) => m.includes('is unreachable'))).toHaveLength(1);
    expect((await meters.sum('tokenmeter.enforcement.unavailable', { 'tokenmeter.enforcement.mode': 'fail-open' })) - before).toBe(4);
    expect(await meters.sum('tokenmeter.enforcement.outages')).toBeGreaterThanOrEqual(1);
    await cp.restart();
    await waitFor(() => link!.status === 'up', { timeoutMillis: 15_000, what: 'the link to reconnect' });
    await cp.api('DELETE', `/api/v1/blocks/${block.id}`);
  });

  it('fail-closed: with the control plane killed, calls are refused before leaving; logged once and counted; back after restart', async () => {
    await connect('fail-closed');
    await chat({ org: 'acme' });
    const before = await meters.sum('tokenmeter.enforcement.unavailable', { 'tokenmeter.enforcement.mode': 'fail-closed' });
    await cp.kill();
    await waitFor(() => link!.status === 'down', { what: 'the link to notice the outage' });
    mock.clearRequests();
    for (let i = 0; i < 2; i++) {
      const error = await chat({ org: 'acme' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect(error).toMatchObject({ reason: 'enforcement_unavailable', status: 503, provider: 'openai' });
    }
    expect(mock.requests()).toHaveLength(0);
    expect(warnings.filter((m) => m.includes('is unreachable'))).toHaveLength(1);
    expect((await meters.sum('tokenmeter.enforcement.unavailable', { 'tokenmeter.enforcement.mode': 'fail-closed' })) - before).toBe(2);
    await cp.restart();
    await waitFor(() => link!.status === 'up', { timeoutMillis: 15_000, what: 'the link to reconnect' });
    await chat({ org: 'acme' });
    expect(mock.requests()).toHaveLength(1);
  });
});
