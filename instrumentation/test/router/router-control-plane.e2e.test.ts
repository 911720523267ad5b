/**
 * Provider governance against the real control plane and the mock provider:
 * per-org provider limits under 200 concurrent calls (overshoot measured),
 * fallback from a blocked or disabled provider, priority changes applied to
 * the next call, and fail-open / fail-closed routing with the control plane
 * killed.
 */
import Anthropic, * as anthropicModule from '@anthropic-ai/sdk';
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { waitFor } from '@tokenmeter/testkit';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '../../src/attribution/context.js';
import { addSink, type FinishedCall } from '../../src/core/hooks.js';
import { ProviderUnavailableError, startControlLink, type ControlLink } from '../../src/control/index.js';
import { enableInstrumentations } from '../../src/instrumentations/index.js';
import { createRouter, type Router } from '../../src/router/index.js';
import type { EnforcementMode } from '../../src/config/types.js';
import type { UsageRecord } from '../../src/protocol.js';
import { startControlPlane, testLinkOptions, type TestControlPlane } from '../control/control-plane.js';

let cp: TestControlPlane;
let mock: RunningMockLlm;
let disable: () => void;
let removeSink: () => void;
let link: ControlLink | undefined;
const calls: FinishedCall[] = [];

beforeAll(async () => {
  [cp, mock] = await Promise.all([startControlPlane(), startMockLlm()]);
  disable = enableInstrumentations({ openaiIncludeStreamUsage: true, modules: { openai: [openaiModule], anthropic: [anthropicModule] } });
  removeSink = addSink((call) => calls.push(call));
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
  mock.clearRequests();
  mock.clearFaults();
});

async function connect(enforcement: EnforcementMode = 'fail-open'): Promise<ControlLink> {
  link = startControlLink(testLinkOptions(cp, { enforcement }));
  expect(await link.ready(10_000)).toBe(true);
  return link;
}

/** Sets a provider for an org and waits until the feed carries it. */
async function setProvider(org: string, provider: string, settings: { enabled?: boolean; priority?: number; limits?: Record<string, number> }): Promise<void> {
  await cp.api('PUT', `/api/v1/providers/${org}/${provider}`, { enabled: true, priority: 100, limits: {}, ...settings });
  await waitFor(
    () =>
      link!.state?.providers.some(
        (p) => p.org === org && p.provider === provider && p.enabled === (settings.enabled ?? true) && p.priority === (settings.priority ?? 100),
      ),
    { what: `provider ${org}/${provider} in the feed` },
  );
}

function router(org: string): Router {
  return createRouter({
    providers: [
      { name: 'openai', client: new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test' }), model: 'gpt-4.1-mini' },
      { name: 'anthropic', client: new Anthropic({ baseURL: mock.url, apiKey: 'test' }), model: 'claude-haiku-4-5' },
    ],
    org,
    timeoutMillis: 5000,
  });
}

const request = { messages: [{ role: 'user' as const, content: 'hello there' }], maxTokens: 5 };

describe('provider limits (200 concurrent calls)', () => {
  it('an hourly request limit lets exactly the remaining calls through, counting other processes from the ledger', async () => {
    await connect();
    // Another process of the fleet already made 30 calls this hour.
    const now = new Date().toISOString();
    const records: UsageRecord[] = Array.from({ length: 30 }, (_, i) => ({
      id: `other-process-${i}`,
      time: now,
      org: 'limits-org',
      provider: 'openai',
      operation: 'chat',
      tokens: { input: 10, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 },
      cost_usd: '0.00001',
      outcome: 'ok',
      latency_ms: 10,
      source: 'sdk',
    }));
    await cp.api('POST', '/api/v1/usage', { records });
    await setProvider('limits-org', 'openai', { priority: 0, limits: { hourly_requests: 80 } });
    await waitFor(() => link!.state?.providers.find((p) => p.org === 'limits-org' && p.provider === 'openai')?.usage.hour_requests === 30, {
      what: 'the fleet usage in the feed',
    });

    const results = await withAttribution({ org: 'limits-org' }, () =>
      Promise.allSettled(
        // async: a refusal the patched create() throws synchronously still counts as a rejection.
        Array.from({ length: 200 }, async () => openaiClient().chat.completions.create({ model: 'gpt-4.1-mini', messages: request.messages, max_completion_tokens: 5 })),
      ),
    );
    const passed = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof ProviderUnavailableError && r.reason.reason === 'rate_limited');
    // 80 - 30 = 50 may pass; the overshoot is stated in the report: 0 within one process.
    expect(passed).toBe(50);
    expect(refused).toHaveLength(150);
    expect(mock.requests()).toHaveLength(50);

    // The ledger agrees: 80 requests this hour for the org's openai; the SDK keeps refusing after the state catches up.
    await link!.forceFlush();
    await waitFor(() => (link!.state?.providers.find((p) => p.org === 'limits-org' && p.provider === 'openai')?.usage.hour_requests ?? 0) >= 80, {
      what: 'the ledger totals in the feed',
    });
    expect(link!.policy!.usage('limits-org', 'openai')?.hourRequests).toBe(80);
    await expect(withAttribution({ org: 'limits-org' }, async () => openaiClient().chat.completions.create({ model: 'gpt-4.1-mini', messages: request.messages, max_completion_tokens: 5 }))).rejects.toMatchObject({ reason: 'rate_limited', limitName: 'hourly_requests' });
  });

  it('an hourly token limit under 200 concurrent routed calls: the overshoot is bounded by the reservations', async () => {
    await connect();
    const limit = 600;
    await setProvider('tokens-org', 'openai', { priority: 0, limits: { hourly_tokens: limit } });
    await setProvider('tokens-org', 'anthropic', { priority: 1 });
    const r = router('tokens-org');
    const answers = await Promise.all(Array.from({ length: 200 }, () => r.chat(request)));
    const byProvider = (name: string) => answers.filter((a) => a.provider === name);
    const openaiTokens = byProvider('openai').reduce((sum, a) => sum + Object.values(a.usage).reduce((x, y) => x + y, 0), 0);
    // Each call reserves maxTokens + input estimate (5 + 3 + 4 = 12); the mock bills 3 + 4 = 7 input + 5 output = 12 tokens.
    expect(openaiTokens).toBeLessThanOrEqual(limit);
    expect(openaiTokens).toBeGreaterThan(limit * 0.9);
    expect(byProvider('anthropic').length).toBe(200 - byProvider('openai').length);
    console.log(`token limit ${limit}: openai served ${byProvider('openai').length} calls, ${openaiTokens} tokens (overshoot ${Math.max(0, openaiTokens - limit)})`);
  });
});

let sharedOpenAI: OpenAI | undefined;
function openaiClient(): OpenAI {
  sharedOpenAI ??= new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0 });
  return sharedOpenAI;
}

describe('routing by the control plane\'s provider settings', () => {
  it('falls back from a provider blocked in the control plane', async () => {
    await connect();
    await setProvider('block-org', 'openai', { priority: 0 });
    await setProvider('block-org', 'anthropic', { priority: 1 });
    const block = await cp.api<{ id: string }>('POST', '/api/v1/blocks', { scope: 'provider', subject: 'openai' });
    await waitFor(() => link!.state?.blocks.some((b) => b.id === block.id), { what: 'the block in the feed' });
    const answer = await router('block-org').chat(request);
    expect(answer.provider).toBe('anthropic');
    expect(answer.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'skipped', reason: 'refused' });
    expect(mock.requests().map((x) => x.provider)).toEqual(['anthropic']);
    await cp.api('DELETE', `/api/v1/blocks/${block.id}`);
  });

  it('falls back from a provider disabled for the org, and only for that org', async () => {
    await connect();
    await setProvider('disabled-org', 'openai', { enabled: false, priority: 0 });
    await setProvider('disabled-org', 'anthropic', { priority: 1 });
    const answer = await router('disabled-org').chat(request);
    expect(answer.provider).toBe('anthropic');
    expect(answer.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'skipped', reason: 'disabled' });
    expect((await router('another-org').chat(request)).provider).toBe('openai');
  });

  it('a priority change in the control plane changes the routing of the next call', async () => {
    await connect();
    await setProvider('prio-org', 'openai', { priority: 0 });
    await setProvider('prio-org', 'anthropic', { priority: 1 });
    const r = router('prio-org');
    expect((await r.chat(request)).provider).toBe('openai');
    await setProvider('prio-org', 'anthropic', { priority: 0 });
    await setProvider('prio-org', 'openai', { priority: 5 });
    expect((await r.chat(request)).provider).toBe('anthropic');
  });

  it('fail-open routes on the last known settings with the control plane killed; fail-closed refuses', async () => {
    await connect('fail-open');
    await setProvider('outage-org', 'openai', { priority: 1 });
    await setProvider('outage-org', 'anthropic', { priority: 0 });
    const r = router('outage-org');
    await cp.kill();
    await waitFor(() => link!.status === 'down', { what: 'the link to notice the outage' });
    expect((await r.chat(request)).provider).toBe('anthropic');
    await link!.shutdown();

    link = startControlLink({ url: cp.url, token: cp.ingestToken, enforcement: 'fail-closed', reportIntervalMillis: 100, maxBufferedRecords: 100, pollIntervalMillis: 100, priceRefreshMillis: 0, logger: { warn: () => undefined, info: () => undefined } });
    await waitFor(() => link!.status === 'down', { what: 'the new link to find the control plane down' });
    mock.clearRequests();
    await expect(r.chat(request)).rejects.toMatchObject({ name: 'ProviderUnavailableError', reason: 'enforcement_unavailable', status: 503 });
    expect(mock.requests()).toHaveLength(0);
    await cp.restart();
    await waitFor(() => link!.status === 'up', { timeoutMillis: 15_000, what: 'the link to reconnect' });
    expect((await r.chat(request)).provider).toBe('anthropic');
  });
});
