/**
 * The router over the real OpenAI and Anthropic SDKs (patched by the SDK's
 * own instrumentation) against the mock provider: fallback from 429, 5xx and
 * a timeout, cool-down and probe, streaming, and per-attempt measurement.
 */
import Anthropic, * as anthropicModule from '@anthropic-ai/sdk';
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addSink, type FinishedCall } from '../../src/core/hooks.js';
import { enableInstrumentations } from '../../src/instrumentations/index.js';
import { createRouter, type RouterOptions } from '../../src/router/index.js';

let mock: RunningMockLlm;
let disable: () => void;
let removeSink: () => void;
const calls: FinishedCall[] = [];

beforeAll(async () => {
  mock = await startMockLlm();
  disable = enableInstrumentations({ openaiIncludeStreamUsage: true, modules: { openai: [openaiModule], anthropic: [anthropicModule] } });
  removeSink = addSink((call) => calls.push(call));
});

afterAll(async () => {
  removeSink();
  disable();
  await mock.stop();
});

afterEach(() => {
  mock.clearFaults();
  mock.clearRequests();
  calls.length = 0;
});

function router(extra: Partial<RouterOptions> = {}) {
  return createRouter({
    providers: [
      { name: 'openai', client: new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test' }), model: 'gpt-4.1-mini' },
      { name: 'anthropic', client: new Anthropic({ baseURL: mock.url, apiKey: 'test' }), model: 'claude-haiku-4-5' },
    ],
    timeoutMillis: 1000,
    link: null,
    ...extra,
  });
}

const request = { messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Say hello to the team' }], maxTokens: 8, temperature: 0.2 };

describe('router over the real SDKs and the mock provider', () => {
  it('serves from the highest-priority provider and measures the call', async () => {
    const result = await router().chat(request);
    expect(result).toMatchObject({ provider: 'openai', finishReason: 'length' }); // 8 tokens cut the mock's 20-token answer
    expect(result.model).toMatch(/^gpt-4\.1-mini/);
    expect(result.text.split(' ')).toHaveLength(8);
    const served = mock.requests();
    expect(served).toHaveLength(1);
    expect(result.usage).toEqual(served[0]!.usage);
    // The patched SDK measured it: the attempt carries the call id and the priced cost.
    expect(calls).toHaveLength(1);
    expect(result.attempts).toEqual([expect.objectContaining({ provider: 'openai', outcome: 'ok', callId: calls[0]!.id, usage: calls[0]!.tokens })]);
    expect(calls[0]!.cost.priced).toBe(true);
    expect(result.attempts[0]!.costUsd).toBeGreaterThan(0);
  });

  it.each([
    ['429', 'rate_limited', 429],
    ['500', 'server_error', 500],
    ['503', 'server_error', 503],
  ])('falls back from a provider answering %s and counts the failed attempt as fallback', async (fault, reason, status) => {
    mock.setFaults([{ match: { provider: 'openai' }, fault }]);
    const result = await router().chat(request);
    expect(result.provider).toBe('anthropic');
    expect(result.model).toBe('claude-haiku-4-5');
    expect(result.text.split(' ')).toHaveLength(8);
    expect(result.attempts).toEqual([
      expect.objectContaining({ provider: 'openai', outcome: 'failed', reason, status }),
      expect.objectContaining({ provider: 'anthropic', outcome: 'ok' }),
    ]);
    // One request per provider: SDK retries are off, the router moved on at once.
    expect(mock.requests().map((r) => [r.provider, r.status])).toEqual([
      ['openai', status],
      ['anthropic', 200],
    ]);
    expect(calls.map((c) => [c.provider, c.outcome])).toEqual([
      ['openai', 'fallback'],
      ['anthropic', 'ok'],
    ]);
  });

  it('falls back from a provider that does not answer in time', async () => {
    mock.setFaults([{ match: { provider: 'openai' }, fault: 'timeout' }]);
    const started = performance.now();
    const result = await router({ timeoutMillis: 300 }).chat(request);
    expect(result.provider).toBe('anthropic');
    expect(result.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'failed', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(calls.map((c) => c.outcome)).toEqual(['fallback', 'ok']);
  });

  it('the last provider failing is an error, not a fallback, and all failing throws with every attempt', async () => {
    mock.setFaults([{ fault: '503' }]);
    const error = (await router().chat(request).catch((e: unknown) => e)) as Error & { attempts: unknown[]; status: number };
    expect(error.name).toBe('AllProvidersFailedError');
    expect(error.status).toBe(503);
    expect(error.attempts).toHaveLength(2);
    expect(calls.map((c) => c.outcome)).toEqual(['fallback', 'error']);
  });

  it('cools a provider down after repeated failures and brings it back once its probe succeeds', async () => {
    const r = router({ cooldown: { failures: 2, millis: 400 } });
    mock.setFaults([{ match: { provider: 'openai' }, fault: '500' }]);
    await r.chat(request);
    await r.chat(request);
    expect(r.health()[0]).toMatchObject({ provider: 'openai', state: 'open' });
    mock.clearRequests();
    const cooling = await r.chat(request);
    expect(cooling.provider).toBe('anthropic');
    expect(cooling.attempts[0]).toMatchObject({ outcome: 'skipped', reason: 'cooling_down' });
    expect(mock.requests().map((x) => x.provider)).toEqual(['anthropic']); // not even tried
    mock.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await r.chat(request);
    expect(probe.provider).toBe('openai');
    expect(r.health()[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect((await r.chat(request)).provider).toBe('openai');
  });

  it('a failed probe starts a new cool-down', async () => {
    const r = router({ cooldown: { failures: 1, millis: 200 } });
    mock.setFaults([{ match: { provider: 'openai' }, fault: '429' }]);
    await r.chat(request);
    await new Promise((resolve) => setTimeout(resolve, 250));
    mock.clearRequests();
    const probe = await r.chat(request);
    expect(probe.attempts[0]).toMatchObject({ provider: 'openai', outcome: 'failed', reason: 'rate_limited' });
    expect(r.health()[0]!.state).toBe('open');
    expect((await r.chat(request)).attempts[0]).toMatchObject({ outcome: 'skipped', reason: 'cooling_down' });
  });

  it.each(['openai', 'anthropic'])('streams text deltas from %s in the neutral shape, with usage', async (first) => {
    const providers: RouterOptions['providers'] = [
      { name: 'openai', client: new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test' }), model: 'gpt-4.1-mini', priority: first === 'openai' ? 0 : 1 },
      { name: 'anthropic', client: new Anthropic({ baseURL: mock.url, apiKey: 'test' }), model: 'claude-haiku-4-5', priority: first === 'anthropic' ? 0 : 1 },
    ];
    const stream = await createRouter({ providers, link: null }).chat({ ...request, stream: true });
    expect(stream.provider).toBe(first);
    const deltas: string[] = [];
    for await (const delta of stream) deltas.push(delta.text);
    const result = await stream.result;
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.text).toBe(deltas.join(''));
    expect(result.text.trim().split(/\s+/)).toHaveLength(8);
    expect(result.usage).toEqual(mock.requests()[0]!.usage);
    expect(result.attempts).toEqual([expect.objectContaining({ provider: first, outcome: 'ok', callId: calls[0]!.id })]);
    expect(calls[0]).toMatchObject({ provider: first, streaming: true, outcome: 'ok' });
  });

  it('a stream falls back when the first provider refuses before answering', async () => {
    mock.setFaults([{ match: { provider: 'openai' }, fault: '429' }]);
    const stream = await router().chatStream(request);
    expect(stream.provider).toBe('anthropic');
    let text = '';
    for await (const delta of stream) text += delta.text;
    expect((await stream.result).attempts.map((a) => a.outcome)).toEqual(['failed', 'ok']);
    expect(text.length).toBeGreaterThan(0);
  });
});
