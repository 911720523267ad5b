import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PriceCatalog } from '../../src/pricing/index.js';
import { createProvider } from '../fixtures/provider.js';
import { record, settle } from '../fixtures/recorder.js';
import type { Recorder } from '../fixtures/recorder.js';
import { OPENAI_MAJORS } from './majors.js';
import type { OpenAILike } from './majors.js';

let recorder: Recorder;
const catalog = PriceCatalog.bundled();

beforeAll(() => {
  recorder = record({ openai: OPENAI_MAJORS.map((major) => major.moduleExports) });
});

afterEach(() => recorder.reset());

// On the wire: input 200 (64 cached), output 50 (16 reasoning).
const EXPECTED_TOKENS = { input: 136, cache_read: 64, cache_write: 0, output: 34, reasoning: 16 };
let provider = createProvider();

describe.each(OPENAI_MAJORS)('$name Responses API', (major) => {
  function client(): OpenAILike {
    provider = createProvider({ usage: EXPECTED_TOKENS });
    return new major.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
  }

  it('create: maps input/output token details into disjoint types and prices them', async () => {
    const response = await client().responses.create({ model: 'gpt-4.1', input: 'hi' });
    expect(response.usage).toMatchObject({ input_tokens: 200, output_tokens: 50 });
    expect(typeof response.output_text).toBe('string');
    expect(recorder.calls).toHaveLength(1);
    const call = recorder.calls[0]!;
    expect(call).toMatchObject({ operation: 'chat', requestModel: 'gpt-4.1', responseModel: 'gpt-4.1', responseId: response.id, outcome: 'ok' });
    expect(call.tokens).toEqual(EXPECTED_TOKENS);
    expect(call.tokens).toEqual(provider.served()[0]!.usage);
    const price = catalog.price({ provider: 'openai', model: 'gpt-4.1', timeMs: call.startTimeMs, tokens: call.tokens });
    expect(price.priced).toBe(true);
    expect(call.cost.costPicoUsd).toBe(price.costPicoUsd);
  });

  it('create with stream: true records the usage of response.completed once', async () => {
    const stream = await client().responses.create({ model: 'gpt-4.1', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect([types[0], types.at(-1)]).toEqual(['response.created', 'response.completed']);
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]).toMatchObject({ streaming: true, tokens: EXPECTED_TOKENS });
  });

  it('the .stream() helper records exactly once', async () => {
    const helper = client().responses.stream({ model: 'gpt-4.1', input: 'hi' });
    const final = await helper.finalResponse();
    expect(final.id).toBe(recorder.calls[0]?.responseId);
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('the .parse() helper records exactly once', async () => {
    const parsed = await client().responses.parse({ model: 'gpt-4.1', input: 'hi' });
    expect(parsed.id).toBe(recorder.calls[0]?.responseId);
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });
});
