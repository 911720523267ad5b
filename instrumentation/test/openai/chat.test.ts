import { diag, DiagLogLevel, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '../../src/attribution/context.js';
import { withCallScope } from '../../src/core/call-scope.js';
import type { FinishedCall } from '../../src/core/hooks.js';
import { setCatalog } from '../../src/core/catalog.js';
import { addGate, addSink } from '../../src/core/hooks.js';
import type { ChatCompletionUsage } from '../../src/instrumentations/openai/internal-types.js';
import { chatTokens } from '../../src/instrumentations/openai/utils.js';
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

afterEach(() => {
  recorder.reset();
  setCatalog(catalog);
});

// On the wire: prompt 120 (20 cached), completion 30 (10 reasoning); each token counted once.
const EXPECTED_TOKENS = { input: 100, cache_read: 20, cache_write: 0, output: 20, reasoning: 10 };
const usage = EXPECTED_TOKENS;

describe.each(OPENAI_MAJORS)('$name chat completions', (major) => {
  function client(provider = createProvider({ usage })): { openai: OpenAILike; provider: ReturnType<typeof createProvider> } {
    return { openai: new major.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 }), provider };
  }

  it('create: splits usage into disjoint types, prices it with the catalog and returns the response unchanged', async () => {
    const { openai, provider } = client();
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 30 });
    expect(recorder.calls).toHaveLength(1);
    const call = recorder.calls[0]!;
    expect(call).toMatchObject({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini', outcome: 'ok', streaming: false });
    expect(call.tokens).toEqual(EXPECTED_TOKENS);
    expect(call.tokens).toEqual(provider.served()[0]!.usage);
    expect(call.responseId).toBe(completion.id);
    const price = catalog.price({ provider: 'openai', model: 'gpt-4o-mini', timeMs: call.startTimeMs, serviceTier: call.serviceTier, tokens: call.tokens });
    expect(price.priced).toBe(true);
    expect(call.cost.costPicoUsd).toBe(price.costPicoUsd);
    expect(call.cost.priceId).toBe(price.priceId);
  });

  it('create: one CLIENT span "chat {model}" with semconv usage (input includes cache, output includes reasoning) and cost', async () => {
    const { openai } = client();
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    const spans = recorder.spans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.usage.cache_read.input_tokens': 20,
      'gen_ai.usage.reasoning.output_tokens': 10,
      'tokenmeter.unpriced': false,
      'tokenmeter.cost.usd': recorder.calls[0]!.cost.costUsd,
    });
    expect(recorder.calls[0]!.id).toBe(span.spanContext().spanId);
  });

  it('keeps the APIPromise: withResponse() and asResponse() work and the body is parsed once', async () => {
    const { openai } = client();
    const { data, response, request_id } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).withResponse();
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(response.status).toBe(200);
    expect(request_id).toBe(response.headers.get('x-request-id'));
    expect(recorder.calls).toHaveLength(1);
    const raw = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).asResponse();
    expect(((await raw.json()) as { id: string }).id).toMatch(/^chatcmpl-/);
  });

  it('stream: injects include_usage, hides the usage-only chunk, records the usage once, tee() works', async () => {
    const { openai, provider } = client();
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true });
    expect(provider.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const [left, right] = stream.tee();
    const leftSeen: number[] = [];
    const rightSeen: number[] = [];
    for await (const chunk of left) leftSeen.push(chunk.choices.length);
    for await (const chunk of right) rightSeen.push(chunk.choices.length);
    expect(leftSeen.length).toBeGreaterThan(1);
    expect(leftSeen.every((n) => n === 1)).toBe(true);
    expect(rightSeen).toEqual(leftSeen);
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]).toMatchObject({ streaming: true, outcome: 'ok', tokens: EXPECTED_TOKENS });
  });

  it('stream: a caller asking for usage itself sees the usage chunk', async () => {
    const { openai, provider } = client();
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true, stream_options: { include_usage: true } });
    const usages = [];
    for await (const chunk of stream) usages.push(chunk.usage?.prompt_tokens ?? null);
    expect(usages.at(-1)).toBe(120);
    expect(provider.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    await settle();
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('stream abandoned midway: the call is still recorded with what was seen, and the request aborted', async () => {
    const { openai } = client();
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true });
    for await (const chunk of stream) {
      expect(chunk.choices).toHaveLength(1);
      break;
    }
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]).toMatchObject({ outcome: 'ok', responseModel: 'gpt-4o-mini', streaming: true });
    expect(recorder.calls[0]!.responseId).toMatch(/^chatcmpl-/);
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it('the .stream() helper records exactly once, with the usage', async () => {
    const { openai } = client();
    const completions = openai.chat.completions.stream === undefined ? openai.beta.chat.completions : openai.chat.completions;
    const helper = completions.stream({ model: 'gpt-4o-mini', messages: [] });
    const final = await helper.finalChatCompletion();
    expect(typeof final.choices[0].message.content).toBe('string');
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('the .parse() helper records exactly once and still parses', async () => {
    const { openai } = client();
    const completions = openai.chat.completions.parse === undefined ? openai.beta.chat.completions : openai.chat.completions;
    const parsed = await completions.parse({
      model: 'gpt-4o-mini',
      messages: [],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'x',
          strict: true,
          schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
        },
      },
    });
    expect(typeof parsed.choices[0].message.parsed.ok).toBe('boolean');
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('an HTTP error is recorded with error.type and an ERROR span, and reaches the caller unchanged', async () => {
    const { openai } = client(createProvider({ fault: '429' }));
    const error = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch((caught: unknown) => caught);
    expect((error as { status: number }).status).toBe(429);
    expect((error as Error).constructor.name).toBe('RateLimitError');
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]).toMatchObject({ outcome: 'error', errorType: 'RateLimitError' });
    const span = recorder.spans()[0]!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('RateLimitError');
  });

  it('a gate refusal reaches the caller before any request leaves, recorded as blocked', async () => {
    const { openai, provider } = client();
    class QuotaRefusal extends Error {}
    const removeGate = addGate(() => {
      throw new QuotaRefusal('over quota');
    });
    try {
      expect(() => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })).toThrow(QuotaRefusal);
    } finally {
      removeGate();
    }
    expect(provider.requests).toHaveLength(0);
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]).toMatchObject({ outcome: 'blocked', errorType: 'QuotaRefusal' });
  });

  it('opt-out: includeStreamUsage false sends the body untouched', async () => {
    record({}, false);
    try {
      const { openai, provider } = client();
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true });
      for await (const _chunk of stream) void _chunk; // drain
      expect(provider.requests[0]!.body.stream_options).toBeUndefined();
    } finally {
      record({}, true);
    }
  });
});

describe('call context (openai 7)', () => {
  const major = OPENAI_MAJORS[0]!;

  it('the GenAI span is active while the request is sent, so transport spans nest under it', async () => {
    const provider = createProvider({ usage });
    let activeSpanId: string | undefined;
    const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
      return provider.fetch(input, init);
    };
    const openai = new major.OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    expect(activeSpanId).toBeDefined();
    expect(activeSpanId).toBe(recorder.spans()[0]!.spanContext().spanId);
  });

  it('attribution from withAttribution lands on the call and on the span', async () => {
    const openai = new major.OpenAI({ apiKey: 'test', fetch: createProvider({ usage }).fetch, maxRetries: 0 });
    await withAttribution({ user: 'u-42', feature: 'search', department: 'research', session: 's-1' }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }),
    );
    expect(recorder.calls[0]!.attribution).toMatchObject({ user: 'u-42', feature: 'search', department: 'research', session: 's-1' });
    expect(recorder.spans()[0]!.attributes).toMatchObject({
      'user.id': 'u-42',
      'tokenmeter.feature': 'search',
      'tokenmeter.department': 'research',
      'session.id': 's-1',
    });
  });

  it('a call scope sets the failure outcome and hears every finished call', async () => {
    const heard: FinishedCall[] = [];
    const openai = new major.OpenAI({ apiKey: 'test', fetch: createProvider({ fault: '503' }).fetch, maxRetries: 0 });
    await withCallScope({ failureOutcome: 'fallback', onCallFinished: (call) => heard.push(call) }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch(() => undefined),
    );
    await settle();
    expect(recorder.calls[0]).toMatchObject({ outcome: 'fallback', errorType: 'InternalServerError' });
    expect(heard).toEqual([recorder.calls[0]]);
  });

  it('the requested service tier is sent and the tier served is what prices the call', async () => {
    const provider = createProvider({ usage });
    const openai = new major.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], service_tier: 'flex' });
    const call = recorder.calls[0]!;
    expect(call.serviceTier).toBe('flex');
    const price = catalog.price({ provider: 'openai', model: 'gpt-4o-mini', timeMs: call.startTimeMs, serviceTier: 'flex', tokens: call.tokens });
    expect(call.cost.costPicoUsd).toBe(price.costPicoUsd);
  });

  it('toReadableStream() on a stream still yields every chunk and records once', async () => {
    const openai = new major.OpenAI({ apiKey: 'test', fetch: createProvider({ usage }).fetch, maxRetries: 0 });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [], stream: true });
    const text = await new Response(stream.toReadableStream()).text();
    const lines = text.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => (JSON.parse(line) as { choices: unknown[] }).choices.length === 1)).toBe(true);
    await settle();
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });
});

describe('safety', () => {
  const major = OPENAI_MAJORS[0]!;

  it('a failing sink and a failing catalog never reach the caller; the call is recorded unpriced; each fault is logged once', async () => {
    const logged: string[] = [];
    const record = (message: string): void => void logged.push(message);
    diag.setLogger({ error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const removeSink = addSink(() => {
      throw new Error('sink bug');
    });
    setCatalog({
      price: () => {
        throw new Error('catalog bug');
      },
    } as unknown as PriceCatalog);
    try {
      const provider = createProvider({ usage });
      const openai = new major.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
      const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
      expect(completion.usage.prompt_tokens).toBe(120);
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
    } finally {
      removeSink();
      diag.disable();
    }
    expect(logged.filter((message) => message.includes('pricing a call'))).toHaveLength(1);
    expect(logged.filter((message) => message.includes('a call sink'))).toHaveLength(1);
    recorder.calls.splice(1);
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0]!.cost.priced).toBe(false);
    expect(recorder.calls[0]!.tokens).toEqual(EXPECTED_TOKENS);
  });

  it('malformed usage counts as zero instead of throwing', () => {
    expect(chatTokens({ prompt_tokens: 'many', completion_tokens: -3 } as unknown as ChatCompletionUsage)).toEqual({
      input: 0,
      cache_read: 0,
      output: 0,
      reasoning: 0,
    });
  });

  it('an unknown model is recorded unpriced, never as a silent $0', async () => {
    const provider = createProvider();
    const openai = new major.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'no-such-model-xyz', messages: [] });
    expect(recorder.calls[0]!.cost).toMatchObject({ priced: false, costPicoUsd: 0n });
    expect(recorder.spans()[0]!.attributes['tokenmeter.unpriced']).toBe(true);
  });
});
