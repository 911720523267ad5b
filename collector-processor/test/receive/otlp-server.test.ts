import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { encodeMetrics, encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const SPAN_ATTRS = { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 };

async function healthy(c: RunningCollector): Promise<void> {
  expect((await fetch(`${c.otlpUrl}/healthz`)).status).toBe(200);
  const ok = await post(c, '/v1/traces', await encodeSpans('x', { 'service.name': 'h' }, [{ attributes: SPAN_ATTRS }]));
  expect(ok.status).toBe(200);
}

describe('OTLP/HTTP receiver: bad input gets the right status and leaves the process healthy', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startTestCollector({ TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES: String(512 * 1024), TOKENMETER_COLLECTOR_SERIES_LIMIT: '100', TOKENMETER_COLLECTOR_QUEUE_REQUESTS: '1' });
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('answers malformed protobuf with 400 and a google.rpc.Status naming the problem', async () => {
    const res = await post(c, '/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(Buffer.from(await res.arrayBuffer()).toString('utf8')).toMatch(/malformed traces protobuf payload: length \d+ at byte \d+ runs past the end/);
    const truncated = (await encodeSpans('x', { 'service.name': 'h' }, [{ attributes: SPAN_ATTRS }])).subarray(0, 40);
    expect((await post(c, '/v1/traces', truncated)).status).toBe(400);
    await healthy(c);
  });

  it('answers malformed JSON with 400 naming the field, in JSON', async () => {
    const res = await post(c, '/v1/metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: 'nope' }] }), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 3, message: 'malformed metrics json payload: resourceMetrics[0].scopeMetrics must be an array' });
    expect((await post(c, '/v1/logs', '{not json', { 'content-type': 'application/json' })).status).toBe(400);
    await healthy(c);
  });

  it('answers unsupported content types and encodings with 415, unknown paths with 404 and GET with 405', async () => {
    const body = await encodeSpans('x', {}, [{ attributes: SPAN_ATTRS }]);
    const res = await post(c, '/v1/traces', body, { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain('unsupported content-type "text/plain"');
    expect((await post(c, '/v1/traces', body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(c, '/v1/other', body)).status).toBe(404);
    expect((await fetch(`${c.otlpUrl}/v1/traces`)).status).toBe(405);
    await healthy(c);
  });

  it('refuses bodies over the limit with 413: declared, streamed without a length, and gzip bombs', async () => {
    const big = Buffer.alloc(1024 * 1024, 1);
    const declared = await post(c, '/v1/metrics', big);
    expect(declared.status).toBe(413);
    expect(((await declared.arrayBuffer()).byteLength)).toBeGreaterThan(0);

    // Chunked (no content-length): the limit is enforced while streaming.
    const streamed = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${c.otlpUrl}/v1/metrics`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 2));
      req.end();
    });
    expect(streamed).toBe(413);

    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(512 * 1024);
    const res = await post(c, '/v1/traces', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect((await post(c, '/v1/traces', Buffer.from('not gzip'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(400);
    await healthy(c);
  });

  it('accepts gzip protobuf and JSON and replies in the request encoding', async () => {
    const body = await encodeSpans('x', { 'service.name': 'gz' }, [{ attributes: SPAN_ATTRS }]);
    const res = await post(c, '/v1/traces', gzipSync(body), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()))).toEqual({});
    const json = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] },
          scopeSpans: [
            {
              scope: { name: 'json-scope' },
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  name: 'chat',
                  startTimeUnixNano: '1767225600000000000',
                  endTimeUnixNano: '1767225601000000000',
                  attributes: [
                    { key: 'gen_ai.system', value: { stringValue: 'OpenAI' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                    { key: 'gen_ai.usage.prompt_tokens', value: { intValue: '1000' } },
                    { key: 'gen_ai.usage.completion_tokens', value: { intValue: 100 } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const jr = await post(c, '/v1/traces', JSON.stringify(json), { 'content-type': 'application/json' });
    expect(jr.status).toBe(200);
    expect(jr.headers.get('content-type')).toBe('application/json');
    expect(await jr.json()).toEqual({});
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'json-svc', gen_ai_provider_name: 'openai', gen_ai_token_type: 'input' })).toBe(1000);
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'json-svc', gen_ai_token_type: 'output' })).toBe(100);
  });

  it('reports rejected points the OTLP way (partial_success) and keeps the accepted ones', async () => {
    const json = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { name: 'gen_ai.client.operation.duration', exponentialHistogram: { dataPoints: [{ count: '1' }, { count: '2' }] } },
                { name: 'gen_ai.client.inference.usage.input_tokens', sum: { isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ asInt: '7', attributes: [{ key: 'gen_ai.system', value: { stringValue: 'Anthropic' } }] }] } },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(c, '/v1/metrics', JSON.stringify(json), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partialSuccess: { rejectedDataPoints: '2', errorMessage: 'gen_ai.client.operation.duration: exponential histograms and summaries are not supported' } });
    expect(sample(await scrape(c), 'gen_ai_client_inference_usage_input_tokens_total', { gen_ai_provider_name: 'anthropic' })).toBe(7);

    // The same in protobuf: the reply decodes with the SDK's own response deserializer.
    const body = Buffer.from(JSON.stringify(json));
    const pb = await post(c, '/v1/metrics', body, { 'content-type': 'application/json' });
    expect(pb.status).toBe(200);
    const proto = await encodeMetrics('s', {}, (m) => m.createCounter('gen_ai.client.inference.usage.output_tokens').add(3));
    const ok = await post(c, '/v1/metrics', proto);
    expect(ProtobufMetricsSerializer.deserializeResponse(new Uint8Array(await ok.arrayBuffer()))).toEqual({});
  });

  it('survives an attribute flood: per-item attribute cap on spans, series cap with an overflow bucket on metrics', async () => {
    const flood: Record<string, string> = {};
    for (let i = 0; i < 1500; i++) flood[`junk.${i}`] = `v${i}`;
    const spanRes = await post(c, '/v1/traces', await encodeSpans('x', { 'service.name': 'flood' }, [{ attributes: { ...SPAN_ATTRS, ...flood } }]));
    expect(spanRes.status).toBe(200);
    const reply = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await spanRes.arrayBuffer())) as { partialSuccess?: { errorMessage?: string } };
    expect(reply.partialSuccess?.errorMessage).toMatch(/attributes beyond 128 per item were dropped/);

    const users = 2000;
    const body = await encodeMetrics('contrib', { 'service.name': 'flood' }, (m) => {
      const counter = m.createCounter('tokenmeter.tokens');
      for (let i = 0; i < users; i++) counter.add(2, { 'gen_ai.token.type': 'input', 'user.id': `user-${i}`, 'junk.label': `x${i}` });
    });
    expect((await post(c, '/v1/metrics', body)).status).toBe(200);
    const text = await scrape(c);
    const family = text.split('\n').filter((l) => l.startsWith('tokenmeter_tokens_total{'));
    expect(family.length).toBeLessThanOrEqual(100 + 5);
    expect(text).not.toContain('junk_label');
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'flood', tokenmeter_overflow: 'true', gen_ai_token_type: 'input', user_id: 'other' })).toBeGreaterThan(0);
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'flood', gen_ai_token_type: 'input' })).toBe(users * 2 + 10);
    expect(sample(text, 'tokenmeter_collector_series_overflow_total', { metric: 'tokenmeter_tokens_total' })).toBeGreaterThan(0);
    await healthy(c);
  });

  it('answers 429 with Retry-After when its queue is full, then accepts again', async () => {
    const body = await encodeSpans('x', {}, [{ attributes: SPAN_ATTRS }]);
    const url = new URL(`${c.otlpUrl}/v1/traces`);
    // Hold one request open (headers sent, body unfinished): it fills the queue of 1.
    let firstStatus = 0;
    const first = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': String(body.length) } });
    const firstDone = new Promise<void>((resolve) => first.on('response', (res) => ((firstStatus = res.statusCode ?? 0), res.resume(), res.on('end', resolve))));
    first.write(body.subarray(0, 10));
    await waitFor(async () => ((await (await fetch(`${c.metricsUrl}/debug/vars`)).json()) as { inflight: number }).inflight === 1, { what: 'the first request in flight' });
    const busy = await post(c, '/v1/traces', body);
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('1');
    first.end(body.subarray(10));
    await firstDone;
    expect(firstStatus).toBe(200);
    expect((await post(c, '/v1/traces', body)).status).toBe(200);
    expect(sample(await scrape(c), 'tokenmeter_collector_http_requests_total', { signal: 'traces', code: '429' })).toBe(1);
  });
});
