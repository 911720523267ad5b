/**
 * The prompt fingerprint through the real OpenAI and Anthropic clients
 * against the mock provider over HTTP, streaming included: equal prefixes
 * give equal prefix hashes and different ones different; identical requests
 * give equal request hashes; the prefix's token share, the output cap and
 * the finish reason (`length` when the cap cut the answer) are recorded, on
 * the call and on its span; the off switch captures nothing.
 */
import { metrics } from '@opentelemetry/api';
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FinishedCall } from '../../src/core/hooks.js';
import { canonicalJson } from '../../src/fingerprint/canonical.js';
import { configureFingerprints } from '../../src/fingerprint/fingerprint.js';
import { deriveFingerprintKey } from '../../src/fingerprint/key.js';
import type { PromptFingerprint } from '../../src/protocol.js';
import { startTokenmeter } from '../../src/sdk.js';
import { ANTHROPIC_MAJORS } from '../anthropic/majors.js';
import { record, settle, type Recorder } from '../fixtures/recorder.js';
import { OPENAI_MAJORS } from '../openai/majors.js';

let mock: RunningMockLlm;
let recorder: Recorder;

beforeAll(async () => {
  mock = await startMockLlm();
  recorder = record({ openai: OPENAI_MAJORS.map((m) => m.moduleExports), anthropic: ANTHROPIC_MAJORS.map((m) => m.moduleExports) });
  configureFingerprints({ enabled: true, key: deriveFingerprintKey({ key: 'test-installation-key-0001' }).key });
});
afterAll(async () => {
  await mock.stop();
});
afterEach(() => {
  configureFingerprints({ enabled: true });
  recorder.reset();
});

/** The fingerprint of the `n`-th recorded call (computed now if its batch has not run). */
function fingerprintOf(n: number): PromptFingerprint {
  const value = recorder.calls[n]?.fingerprint?.value;
  expect(value, `call ${n} has a fingerprint`).toBeDefined();
  return value!;
}

/** The prefix's share of the input tokens, by bytes of the items' canonical text (the documented rule). */
function expectedPrefixTokens(call: FinishedCall, prefix: unknown[], rest: unknown[]): number {
  const bytes = (items: unknown[]): number => items.reduce((n: number, item) => n + Buffer.byteLength(canonicalJson(item)), 0);
  const input = call.tokens.input + call.tokens.cache_read + call.tokens.cache_write;
  return Math.round((input * bytes(prefix)) / (bytes(prefix) + bytes(rest)));
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _event of stream) {
    // consume
  }
}

const SYSTEM = { role: 'system', content: 'You are the support assistant of Example Corp. Answer in two sentences, cite the policy id.' };
const TOOLS = [{ type: 'function', function: { name: 'lookup_policy', description: 'Find a policy by id', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }];

describe.each(OPENAI_MAJORS)('$name chat completions', (major) => {
  const client = () => new major.OpenAI({ apiKey: 'test', baseURL: `${mock.url}/v1`, fetch: globalThis.fetch, maxRetries: 0 });

  it('equal system prompt and tools → equal prefix hash; different question → different request hash', async () => {
    const messages = [SYSTEM, { role: 'user', content: 'Can I return a laptop after 40 days?' }];
    await client().chat.completions.create({ model: 'gpt-4.1-mini', messages, tools: TOOLS });
    await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: [SYSTEM, { role: 'user', content: 'Do you ship to Norway?' }], tools: TOOLS });
    await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ ...SYSTEM, content: 'You are a pirate.' }, { role: 'user', content: 'Do you ship to Norway?' }], tools: TOOLS });
    const [a, b, c] = [fingerprintOf(0), fingerprintOf(1), fingerprintOf(2)];
    expect(a.prefix_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(a.request_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(b.prefix_hash).toBe(a.prefix_hash);
    expect(b.request_hash).not.toBe(a.request_hash);
    expect(c.prefix_hash).not.toBe(b.prefix_hash);
    expect(c.request_hash).not.toBe(b.request_hash);
    expect(a.prefix_tokens).toBe(expectedPrefixTokens(recorder.calls[0]!, [TOOLS, SYSTEM], [messages[1]]));
    expect(a.prefix_tokens).toBeGreaterThan(0);
    expect(a.finish_reason).toBe('stop');
  });

  it('identical requests → equal request hash, streamed or not, and appending the reply to the messages afterwards changes nothing', async () => {
    const messages: object[] = [SYSTEM, { role: 'user', content: 'Summarise policy P-7.' }];
    const first = await client().chat.completions.create({ model: 'gpt-4.1-mini', messages, max_tokens: 50 });
    messages.push(first.choices[0].message); // the usual conversation loop, right after the call
    await drain(await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: messages.slice(0, 2), max_tokens: 50, stream: true }));
    await settle();
    expect(recorder.calls).toHaveLength(2);
    expect(recorder.calls[1]!.streaming).toBe(true);
    expect(fingerprintOf(1).request_hash).toBe(fingerprintOf(0).request_hash);
    expect(fingerprintOf(1).max_output_tokens).toBe(50);
    // A different parameter is a different request with the same prefix.
    await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: messages.slice(0, 2), max_tokens: 50, temperature: 0 });
    expect(fingerprintOf(2).request_hash).not.toBe(fingerprintOf(0).request_hash);
    expect(fingerprintOf(2).prefix_hash).toBe(fingerprintOf(0).prefix_hash);
  });

  it('an answer cut by max_tokens: finish_reason length, plain and streamed, on the call and on its span', async () => {
    await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Write a poem.' }], max_tokens: 5 });
    await drain(await client().chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Write a poem.' }], max_completion_tokens: 6, stream: true }));
    await settle();
    expect(fingerprintOf(0)).toMatchObject({ max_output_tokens: 5, finish_reason: 'length', prefix_tokens: 0 });
    expect(fingerprintOf(1)).toMatchObject({ max_output_tokens: 6, finish_reason: 'length' });
    expect(recorder.calls.map((call) => call.finishReasons)).toEqual([['length'], ['length']]);
    const spans = recorder.spans().filter((span) => span.name === 'chat gpt-4.1-mini');
    expect(spans).toHaveLength(2);
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 5,
      'gen_ai.response.finish_reasons': ['length'],
      'tokenmeter.prompt.prefix_hash': fingerprintOf(0).prefix_hash,
      'tokenmeter.prompt.request_hash': fingerprintOf(0).request_hash,
      'tokenmeter.prompt.prefix_tokens': 0,
    });
  });
});

describe.each(OPENAI_MAJORS.filter((m) => m.version !== '4.19.0'))('$name Responses API', (major) => {
  const client = () => new major.OpenAI({ apiKey: 'test', baseURL: `${mock.url}/v1`, fetch: globalThis.fetch, maxRetries: 0 });
  const instructions = 'You translate product names into French and nothing else.';

  it('same instructions → same prefix hash; identical requests (streamed or not) → same request hash; a cut answer maps to length', async () => {
    await client().responses.create({ model: 'gpt-4.1-mini', instructions, input: 'Blue kettle' });
    await client().responses.create({ model: 'gpt-4.1-mini', instructions, input: 'Green teapot' });
    await drain(await client().responses.create({ model: 'gpt-4.1-mini', instructions, input: 'Green teapot', stream: true }));
    await client().responses.create({ model: 'gpt-4.1-mini', instructions: 'Translate into German.', input: 'Green teapot', max_output_tokens: 16 });
    await settle();
    const [a, b, c, d] = [0, 1, 2, 3].map(fingerprintOf) as [PromptFingerprint, PromptFingerprint, PromptFingerprint, PromptFingerprint];
    expect(b.prefix_hash).toBe(a.prefix_hash);
    expect(b.request_hash).not.toBe(a.request_hash);
    expect(c.request_hash).toBe(b.request_hash);
    expect(d.prefix_hash).not.toBe(a.prefix_hash);
    expect(a).toMatchObject({ finish_reason: 'stop', prefix_tokens: expectedPrefixTokens(recorder.calls[0]!, [instructions], ['Blue kettle']) });
    expect(d).toMatchObject({ finish_reason: 'length', max_output_tokens: 16 });
  });
});

describe.each(ANTHROPIC_MAJORS)('$name messages', (major) => {
  const client = () => new major.Anthropic({ apiKey: 'test', baseURL: mock.url, fetch: globalThis.fetch, maxRetries: 0 } as never);
  const system = [{ type: 'text', text: 'You are a careful code reviewer. Point out bugs only.', cache_control: { type: 'ephemeral' } }];
  const document = { role: 'user', content: [{ type: 'text', text: 'Here is the module under review: function add(a, b) { return a - b }', cache_control: { type: 'ephemeral' } }] };

  it('the prefix runs to the last cache breakpoint: same document, different question → same prefix hash', async () => {
    const ask = (question: string, stream = false) =>
      client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, system, messages: [document, { role: 'assistant', content: 'Ready.' }, { role: 'user', content: question }], stream });
    await ask('Is there a bug?');
    await ask('Which line is wrong?');
    await drain(await ask('Which line is wrong?', true));
    await client().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      system,
      messages: [{ ...document, content: [{ ...document.content[0], text: 'Another module: const x = 1' }] }, { role: 'user', content: 'Is there a bug?' }],
    });
    await settle();
    const [a, b, c, d] = [0, 1, 2, 3].map(fingerprintOf) as [PromptFingerprint, PromptFingerprint, PromptFingerprint, PromptFingerprint];
    expect(b.prefix_hash).toBe(a.prefix_hash);
    expect(b.request_hash).not.toBe(a.request_hash);
    expect(c.request_hash).toBe(b.request_hash);
    expect(d.prefix_hash).not.toBe(a.prefix_hash);
    // All input (cache reads and writes included) shared by bytes: system and the document against the rest.
    expect(a.prefix_tokens).toBe(
      expectedPrefixTokens(recorder.calls[0]!, [system, document], [{ role: 'assistant', content: 'Ready.' }, { role: 'user', content: 'Is there a bug?' }]),
    );
    expect(recorder.calls[0]!.tokens.cache_read).toBeGreaterThan(0);
    expect(a.finish_reason).toBe('end_turn');
  });

  it('without a breakpoint the prefix is the tools and the system prompt; stop_reason max_tokens when cut, streamed too', async () => {
    await client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 4, system: 'Be terse.', messages: [{ role: 'user', content: 'Tell me a story.' }] });
    await drain(await client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 4, system: 'Be terse.', messages: [{ role: 'user', content: 'Tell me a story.' }], stream: true }));
    await settle();
    expect(fingerprintOf(0)).toMatchObject({ max_output_tokens: 4, finish_reason: 'max_tokens', prefix_tokens: expectedPrefixTokens(recorder.calls[0]!, ['Be terse.'], [{ role: 'user', content: 'Tell me a story.' }]) });
    expect(fingerprintOf(1)).toMatchObject({ max_output_tokens: 4, finish_reason: 'max_tokens' });
    expect(fingerprintOf(1).request_hash).toBe(fingerprintOf(0).request_hash);
  });
});

describe('the key and the off switch', () => {
  const openai = () => new OPENAI_MAJORS[0]!.OpenAI({ apiKey: 'test', baseURL: `${mock.url}/v1`, fetch: globalThis.fetch, maxRetries: 0 });
  const request = { model: 'gpt-4.1-mini', messages: [SYSTEM, { role: 'user', content: 'hello' }] };

  it('another installation (another key) gets other hashes for the same request; the same token derives the same key', async () => {
    await openai().chat.completions.create(request);
    configureFingerprints({ enabled: true, key: deriveFingerprintKey({ apiToken: 'other-installation-token' }).key });
    await openai().chat.completions.create(request);
    configureFingerprints({ enabled: true, key: deriveFingerprintKey({ apiToken: 'other-installation-token' }).key });
    await openai().chat.completions.create(request);
    expect(fingerprintOf(1).prefix_hash).not.toBe(fingerprintOf(0).prefix_hash);
    expect(fingerprintOf(1).request_hash).not.toBe(fingerprintOf(0).request_hash);
    expect(fingerprintOf(2)).toEqual(fingerprintOf(1));
    expect(deriveFingerprintKey({}).key.equals(deriveFingerprintKey({}).key)).toBe(false); // no key, no token: random per process
    configureFingerprints({ enabled: true, key: deriveFingerprintKey({ key: 'test-installation-key-0001' }).key });
  });

  it('off: nothing is captured, no fingerprint on the call or the span', async () => {
    configureFingerprints({ enabled: false });
    await openai().chat.completions.create(request);
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.fingerprint).toBeUndefined();
    const span = recorder.spans().find((s) => s.name === 'chat gpt-4.1-mini')!;
    expect(Object.keys(span.attributes).filter((key) => key.startsWith('tokenmeter.prompt.'))).toEqual([]);
  });

  it('from the environment: TOKENMETER_PROMPT_FINGERPRINT=off captures nothing; TOKENMETER_API_TOKEN derives the installation key', async () => {
    const env = { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0' };
    let handle = startTokenmeter({ env: { ...env, TOKENMETER_PROMPT_FINGERPRINT: 'off' }, strict: true });
    try {
      await openai().chat.completions.create(request);
      expect(recorder.calls[0]!.fingerprint).toBeUndefined();
    } finally {
      await handle.shutdown();
      metrics.disable();
    }
    handle = startTokenmeter({ env: { ...env, TOKENMETER_API_TOKEN: 'installation-token-42' }, strict: true });
    try {
      await openai().chat.completions.create(request);
    } finally {
      await handle.shutdown();
      metrics.disable();
    }
    configureFingerprints({ enabled: true, key: deriveFingerprintKey({ apiToken: 'installation-token-42' }).key });
    await openai().chat.completions.create(request);
    expect(fingerprintOf(1)).toEqual(fingerprintOf(2));
    configureFingerprints({ enabled: true, key: deriveFingerprintKey({ key: 'test-installation-key-0001' }).key });
  });
});
