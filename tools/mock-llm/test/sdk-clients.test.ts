import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInProcessFetch, startMockLlm, type RunningMockLlm } from '../src/index.js';

let mock: RunningMockLlm;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  mock = await startMockLlm();
  openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(async () => {
  await mock.stop();
});
beforeEach(() => {
  mock.clearRequests();
  mock.clearFaults();
});

const forced = { input: 1200, output: 300, cache_read: 1000, cache_write: 0, reasoning: 120 };

describe('OpenAI wire format with the real openai 7 client', () => {
  it('chat completion reports usage with cached and reasoning tokens (OpenAI semantics)', async () => {
    const completion = await openai.chat.completions.create(
      { model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-mock-usage': JSON.stringify(forced) } },
    );
    expect(completion.usage).toMatchObject({
      prompt_tokens: 2200,
      completion_tokens: 420,
      total_tokens: 2620,
      prompt_tokens_details: { cached_tokens: 1000 },
      completion_tokens_details: { reasoning_tokens: 120 },
    });
    expect(mock.requests()[0]?.usage).toEqual(forced);
  });

  it('streams usage only when include_usage is set', async () => {
    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 5, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.split(' ').length).toBe(5);
    expect(usage?.completion_tokens).toBe(5);
    const without = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    let sawUsage = false;
    for await (const chunk of without) if (chunk.usage) sawUsage = true;
    expect(sawUsage).toBe(false);
    expect(mock.requests().map((r) => r.usage === undefined)).toEqual([false, true]);
  });

  it('the rule: prompt = ceil(chars/4) + 4 per message, output = min(max_tokens, 20), reasoning 2x for gpt-5', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'a'.repeat(40) }], max_completion_tokens: 7 });
    expect(completion.usage?.prompt_tokens).toBe(10 + 4);
    expect(completion.usage?.completion_tokens).toBe(7 + 14);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(14);
  });

  it('chat.completions.parse gets JSON that fits the schema', async () => {
    const parsed = await openai.chat.completions.parse({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'give me a city' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'number' } }, required: ['name', 'population'], additionalProperties: false } },
      },
    });
    expect(parsed.choices[0]?.message.parsed).toEqual({ name: 'mock', population: 1 });
  });

  it('Responses API, plain and streamed, with usage', async () => {
    const plain = await openai.responses.create({ model: 'gpt-4.1', input: 'hi' }, { headers: { 'x-mock-usage': JSON.stringify(forced) } });
    expect(plain.output_text.length).toBeGreaterThan(0);
    expect(plain.usage).toMatchObject({ input_tokens: 2200, output_tokens: 420, input_tokens_details: { cached_tokens: 1000 } });
    const stream = await openai.responses.create({ model: 'gpt-4.1', input: 'hi', stream: true, max_output_tokens: 3 });
    const types: string[] = [];
    let completedUsage: unknown;
    for await (const event of stream) {
      types.push(event.type);
      // Three tokens cut the 20-token answer: the stream ends incomplete, with usage.
      if (event.type === 'response.incomplete') completedUsage = event.response.usage;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.incomplete');
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(3);
    expect(completedUsage).toMatchObject({ output_tokens: 3 });
  });

  it('embeddings in float and base64 encodings', async () => {
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a'.repeat(8), 'b'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(8);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    expect(mock.requests()[0]?.usage?.input).toBe(result.usage.prompt_tokens);
  });

  it('faults: 429 by header surfaces RateLimitError, 500 by rule surfaces InternalServerError once', async () => {
    await expect(
      openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-fault': '429' } }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    mock.setFaults([{ match: { provider: 'openai' }, fault: '500', times: 1 }]);
    await expect(openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    const ok = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(ok.choices[0]?.message.content).toBeTruthy();
    expect(mock.requests().map((r) => r.status)).toEqual([429, 500, 200]);
  });

  it('faults: timeout makes the client give up; slow answers late', async () => {
    await expect(
      openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-fault': 'timeout' }, timeout: 300 }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const started = Date.now();
    await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-fault': 'slow:200' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('drop-stream ends a stream abruptly', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
      { headers: { 'x-mock-fault': 'drop-stream:2' } },
    );
    let chunks = 0;
    await expect(
      (async () => {
        for await (const _chunk of stream) chunks++;
      })(),
    ).rejects.toThrow();
    expect(chunks).toBe(2);
  });

  it('rejects a bad x-mock-usage header with a message naming the field', async () => {
    await expect(
      openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-usage': '{"inputs":1}' } }),
    ).rejects.toThrow(/unknown field "inputs"/);
  });
});

describe('Anthropic wire format with the real @anthropic-ai/sdk 1.x client', () => {
  it('message usage excludes cache tokens from input_tokens', async () => {
    const msg = await anthropic.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-mock-usage': JSON.stringify({ input: 50, output: 30, cache_read: 400, cache_write: 100, reasoning: 0 }) } },
    );
    expect(msg.usage).toMatchObject({ input_tokens: 50, output_tokens: 30, cache_read_input_tokens: 400, cache_creation_input_tokens: 100 });
    expect(mock.requests()[0]?.usage).toEqual({ input: 50, output: 30, cache_read: 400, cache_write: 100, reasoning: 0 });
  });

  it('cache_control marks half the prompt as read and a quarter as written', async () => {
    const msg = await anthropic.messages.create({
      model: 'claude-haiku-4-5', max_tokens: 10,
      system: [{ type: 'text', text: 's'.repeat(400), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'q' }],
    });
    const total = msg.usage.input_tokens + (msg.usage.cache_read_input_tokens ?? 0) + (msg.usage.cache_creation_input_tokens ?? 0);
    expect(msg.usage.cache_read_input_tokens).toBe(Math.floor(total / 2));
    expect(msg.usage.cache_creation_input_tokens).toBe(Math.floor(total / 4));
  });

  it('streams message_start and cumulative message_delta usage; the MessageStream helper sees the final usage', async () => {
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 6, messages: [{ role: 'user', content: 'hello' }] });
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(6);
    expect(final.content[0]).toMatchObject({ type: 'text' });
    const raw = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 4, messages: [{ role: 'user', content: 'hello' }], stream: true });
    const events: string[] = [];
    for await (const event of raw) events.push(event.type);
    expect(events[0]).toBe('message_start');
    expect(events).toContain('message_delta');
    expect(events.at(-1)).toBe('message_stop');
  });

  it('429 carries retry-after and surfaces RateLimitError', async () => {
    await expect(
      anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-fault': '429' } }),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });
});

describe('control API and in-process fetch', () => {
  it('sets, lists and clears fault rules over HTTP, and serves the request log', async () => {
    const set = await fetch(`${mock.url}/_mock/faults`, { method: 'POST', body: JSON.stringify([{ match: { provider: 'anthropic' }, fault: '503', times: 2 }]) });
    expect(set.status).toBe(200);
    const bad = await fetch(`${mock.url}/_mock/faults`, { method: 'POST', body: JSON.stringify([{ fault: 'explode' }]) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/unknown fault "explode"/);
    await expect(anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
    const log = (await (await fetch(`${mock.url}/_mock/requests`)).json()) as { requests: Array<{ status: number; fault?: string }> };
    expect(log.requests).toEqual([expect.objectContaining({ status: 503, fault: '503' })]);
    await fetch(`${mock.url}/_mock/faults`, { method: 'DELETE' });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
  });

  it('serves the real OpenAI client without a socket, streaming included', async () => {
    const inProcess = createInProcessFetch();
    const client = new OpenAI({ baseURL: 'http://mock.local/v1', apiKey: 'x', fetch: inProcess, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(completion.usage?.completion_tokens).toBe(3);
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true, stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBe(3);
    expect(inProcess.mock.requests()).toHaveLength(2);
  });
});

describe('finish reasons: an answer cut by the output limit says so, in each wire format', () => {
  it('chat: length when max_tokens < 20, stop otherwise (plain and streamed)', async () => {
    const cut = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(cut.choices[0]?.finish_reason).toBe('length');
    const whole = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 50 });
    expect(whole.choices[0]?.finish_reason).toBe('stop');
    const stream = await openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true });
    const reasons: string[] = [];
    for await (const chunk of stream) for (const choice of chunk.choices) if (choice.finish_reason !== null) reasons.push(choice.finish_reason);
    expect(reasons).toEqual(['length']);
  });

  it('responses: status incomplete with reason max_output_tokens, streamed as response.incomplete', async () => {
    const cut = await openai.responses.create({ model: 'gpt-4.1-mini', input: 'hi', max_output_tokens: 16 });
    expect(cut.status).toBe('incomplete');
    expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    const stream = await openai.responses.create({ model: 'gpt-4.1-mini', input: 'hi', max_output_tokens: 16, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.incomplete');
    expect((await openai.responses.create({ model: 'gpt-4.1-mini', input: 'hi' })).status).toBe('completed');
  });

  it('anthropic: stop_reason max_tokens when cut, end_turn otherwise', async () => {
    const cut = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] });
    expect(cut.stop_reason).toBe('max_tokens');
    const streamed = await anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.stop_reason).toBe('max_tokens');
    const whole = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(whole.stop_reason).toBe('end_turn');
  });
});
