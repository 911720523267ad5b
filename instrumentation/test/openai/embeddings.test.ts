import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PriceCatalog } from '../../src/pricing/index.js';
import { createProvider } from '../fixtures/provider.js';
import { record } from '../fixtures/recorder.js';
import type { Recorder } from '../fixtures/recorder.js';
import { OPENAI_MAJORS } from './majors.js';

let recorder: Recorder;
const catalog = PriceCatalog.bundled();

beforeAll(() => {
  recorder = record({ openai: OPENAI_MAJORS.map((major) => major.moduleExports) });
});

afterEach(() => recorder.reset());

describe.each(OPENAI_MAJORS)('$name embeddings', (major) => {
  it('create: counts prompt tokens as input, prices them, span "embeddings {model}"', async () => {
    const provider = createProvider({ usage: { input: 42, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 } });
    const openai = new major.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    expect(result.data).toHaveLength(2);
    expect(recorder.calls).toHaveLength(1);
    const call = recorder.calls[0]!;
    expect(call).toMatchObject({ operation: 'embeddings', requestModel: 'text-embedding-3-small', outcome: 'ok' });
    expect(call.tokens).toEqual({ input: 42, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 });
    expect(call.tokens).toEqual(provider.served()[0]!.usage);
    const price = catalog.price({ provider: 'openai', model: 'text-embedding-3-small', timeMs: call.startTimeMs, tokens: call.tokens });
    expect(price.priced).toBe(true);
    expect(call.cost.costPicoUsd).toBe(price.costPicoUsd);
    expect(recorder.spans()[0]!.name).toBe('embeddings text-embedding-3-small');
  });
});
