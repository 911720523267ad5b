import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PriceCatalog } from '../../src/pricing/index.js';
import { createProvider } from '../fixtures/provider.js';
import type { ProviderOptions } from '../fixtures/provider.js';
import { record, settle } from '../fixtures/recorder.js';
import type { Recorder } from '../fixtures/recorder.js';
import { ANTHROPIC_MAJORS } from './majors.js';
import type { AnthropicLike } from './majors.js';

let recorder: Recorder;
const catalog = PriceCatalog.bundled();

beforeAll(() => {
  recorder = record({ anthropic: ANTHROPIC_MAJORS.map((major) => major.moduleExports) });
});

afterEach(() => recorder.reset());

// Anthropic input excludes cache reads and writes: already disjoint.
const EXPECTED_TOKENS = { input: 40, cache_read: 300, cache_write: 100, output: 25, reasoning: 0 };
const MODEL = 'claude-sonnet-4-5';

describe.each(ANTHROPIC_MAJORS)('$name messages', (major) => {
  let provider = createProvider();
  function client(options: ProviderOptions = { usage: EXPECTED_TOKENS }): AnthropicLike {
    provider = createProvider(options);
    return new major.Anthropic({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
  }

  it('create: records input, cache read/write and output once each, priced by the catalog', async () => {
    const message = await client().messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.usage).toMatchObject({ input_tokens: 40, cache_read_input_tokens: 300 });
    expect(recorder.calls).toHaveLength(1);
    const call = recorder.calls[0]!;
    expect(call).toMatchObject({ provider: 'anthropic', operation: 'chat', requestModel: MODEL, responseModel: MODEL, maxOutputTokens: 64, outcome: 'ok' });
    expect(call.tokens).toEqual(EXPECTED_TOKENS);
    expect(call.tokens).toEqual(provider.served()[0]!.usage);
    expect(call.responseId).toBe(message.id);
    const price = catalog.price({ provider: 'anthropic', model: MODEL, timeMs: call.startTimeMs, tokens: call.tokens });
    expect(price.priced).toBe(true);
    expect(call.cost.costPicoUsd).toBe(price.costPicoUsd);
    // @anthropic-ai/sdk 1.x also emits its own span, nested under ours.
    const span = recorder.spans().find((s) => s.name === `chat ${MODEL}`)!;
    expect(span).toBeDefined();
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': 440,
      'gen_ai.usage.output_tokens': 25,
      'gen_ai.usage.cache_read.input_tokens': 300,
      'gen_ai.usage.cache_creation.input_tokens': 100,
    });
  });

  it('withResponse() keeps working', async () => {
    const { data, response } = await client().messages.create({ model: MODEL, max_tokens: 8, messages: [] }).withResponse();
    expect(data.id).toBe(recorder.calls[0]?.responseId);
    expect(response.status).toBe(200);
    expect(recorder.calls).toHaveLength(1);
  });

  it('create with stream: true reads message_start and message_delta usage', async () => {
    const stream = await client().messages.create({ model: MODEL, max_tokens: 8, messages: [], stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('message_stop');
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]).toMatchObject({ streaming: true, tokens: EXPECTED_TOKENS });
  });

  it('a stream abandoned after message_start records the input usage seen', async () => {
    const stream = await client().messages.create({ model: MODEL, max_tokens: 8, messages: [], stream: true });
    for await (const event of stream) {
      expect(event.type).toBe('message_start');
      break;
    }
    await settle();
    expect(recorder.calls).toHaveLength(1);
    const { output, ...input } = recorder.calls[0]!.tokens;
    expect(input).toEqual({ input: 40, cache_read: 300, cache_write: 100, reasoning: 0 });
    expect(output).toBeLessThan(EXPECTED_TOKENS.output);
  });

  it('tee() on a message stream records once', async () => {
    const stream = await client().messages.create({ model: MODEL, max_tokens: 8, messages: [], stream: true });
    const [left, right] = stream.tee();
    let leftCount = 0;
    let rightCount = 0;
    for await (const _event of left) leftCount++;
    for await (const _event of right) rightCount++;
    expect(leftCount).toBeGreaterThan(3);
    expect(rightCount).toBe(leftCount);
    await settle();
    expect(recorder.calls).toHaveLength(1);
  });

  it('the .stream() helper (MessageStream) records exactly once', async () => {
    const helper = client().messages.stream({ model: MODEL, max_tokens: 8, messages: [] });
    const final = await helper.finalMessage();
    expect(typeof final.content[0].text).toBe('string');
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('messages.parse() records exactly once', async () => {
    const messages = client().messages;
    expect(typeof messages.parse).toBe('function');
    const parsed = await messages.parse({ model: MODEL, max_tokens: 8, messages: [] });
    expect(parsed.id).toBe(recorder.calls[0]?.responseId);
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('beta.messages.create is measured too', async () => {
    await client().beta.messages.create({ model: MODEL, max_tokens: 8, messages: [] });
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('an HTTP error is recorded with error.type and an ERROR span', async () => {
    const error = await client({ fault: '529' })
      .messages.create({ model: MODEL, max_tokens: 8, messages: [] })
      .catch((caught: unknown) => caught);
    expect((error as { status: number }).status).toBe(529);
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.outcome).toBe('error');
    expect(recorder.calls[0]!.errorType).toBe((error as Error).constructor.name === 'APIError' ? '529' : (error as Error).constructor.name);
    expect(recorder.spans().find((s) => s.name === `chat ${MODEL}`)!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
