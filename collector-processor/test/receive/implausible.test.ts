/**
 * Implausible values are refused at the collector's door: never priced,
 * counted or forwarded; the rest of the request is processed and the refusal
 * is reported as OTLP partial success.
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { startFakeControlPlane } from '../helpers/control-plane.js';
import type { FakeControlPlane } from '../helpers/control-plane.js';
import { encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const base = { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10 };
const HOUR = 3_600_000;

describe('implausible values at the door', () => {
  let cp: FakeControlPlane;
  let c: RunningCollector;
  beforeAll(async () => {
    cp = await startFakeControlPlane();
    c = await startTestCollector({ TOKENMETER_CONTROL_PLANE_URL: cp.url, TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '20' });
  });
  afterAll(async () => {
    await c?.shutdown();
    await cp?.close();
  });

  it('refuses each implausible span alone (partial success), processes the others, and counts the refusals by reason', async () => {
    const now = Date.now();
    const body = await encodeSpans('third-party', { 'service.name': 'door' }, [
      { attributes: { ...base, 'tokenmeter.feature': 'good' } },
      { attributes: { ...base, 'gen_ai.usage.input_tokens': 5_000_000_000_000, 'tokenmeter.feature': 'bad' } },
      { attributes: { ...base, 'gen_ai.usage.input_tokens': 9_007_199_254_740_991, 'tokenmeter.feature': 'bad' } },
      { attributes: { ...base, 'gen_ai.usage.output_tokens': -5, 'tokenmeter.feature': 'bad' } },
      { attributes: { ...base, 'gen_ai.usage.input_tokens': 2.5, 'tokenmeter.feature': 'bad' } },
      { attributes: { ...base, 'gen_ai.usage.cache_read.input_tokens': 1e20, 'tokenmeter.feature': 'bad' } },
      { attributes: { ...base, 'tokenmeter.feature': 'bad' }, startMs: Date.UTC(1999, 11, 31), endMs: Date.UTC(1999, 11, 31) + 1000 },
      { attributes: { ...base, 'tokenmeter.feature': 'bad' }, startMs: now + 2 * HOUR, endMs: now + 2 * HOUR + 1000 },
      { attributes: { ...base, 'tokenmeter.feature': 'bad' }, startMs: now - 3 * 24 * HOUR, endMs: now },
      { attributes: { ...base, 'tokenmeter.feature': 'good' }, startMs: now + 30 * 60_000, endMs: now + 30 * 60_000 + 500 },
    ]);
    const res = await post(c, '/v1/traces', body);
    expect(res.status).toBe(200);
    const reply = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer())) as { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
    expect(Number(reply.partialSuccess?.rejectedSpans)).toBe(8);
    expect(reply.partialSuccess?.errorMessage).toBe(
      "8 spans refused as implausible (not priced, counted or forwarded); first: tokens.input: 5000000000000 tokens in one call is beyond any model's context (at most 100000000)",
    );
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_implausible_total', { reason: 'tokens' })).toBe(5);
    expect(sample(text, 'tokenmeter_collector_implausible_total', { reason: 'time' })).toBe(2);
    expect(sample(text, 'tokenmeter_collector_implausible_total', { reason: 'latency' })).toBe(1);
    expect(sample(text, 'tokenmeter_requests_total', { job: 'door', tokenmeter_feature: 'good' })).toBe(2);
    expect(sample(text, 'tokenmeter_requests_total', { job: 'door', tokenmeter_feature: 'bad' })).toBeUndefined();
    expect(sample(text, 'tokenmeter_cost_total', { job: 'door', tokenmeter_feature: 'bad' })).toBeUndefined();
    await waitFor(() => cp.batches.flat().length === 2, { what: 'the two plausible records forwarded' });
    expect(cp.batches.flat().every((r) => r.feature === 'good')).toBe(true);
  });

  it('refuses a span without a usable start time in OTLP/JSON, and an implausible GenAI log event', async () => {
    const json = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'door-json' } }] },
          scopeSpans: [
            {
              scope: { name: 'json' },
              spans: [
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b175', name: 'chat', startTimeUnixNano: '0', endTimeUnixNano: '1000000', attributes: Object.entries(base).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })) },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(c, '/v1/traces', JSON.stringify(json), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(/^1 spans refused as implausible .*first: time: 1970-01-01T00:00:00\.000Z is before 2000-01-01/) } });

    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'door-logs' } }] },
          scopeLogs: [
            {
              scope: { name: 'events' },
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  eventName: 'gen_ai.client.inference.operation.details',
                  attributes: [{ key: 'gen_ai.provider.name', value: { stringValue: 'openai' } }],
                  body: { kvlistValue: { values: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '5000000000000' } }] } },
                },
              ],
            },
          ],
        },
      ],
    };
    const lr = await post(c, '/v1/logs', JSON.stringify(logs), { 'content-type': 'application/json' });
    expect(lr.status).toBe(200);
    expect(((await lr.json()) as { partialSuccess: { rejectedLogRecords: string } }).partialSuccess.rejectedLogRecords).toBe('1');
  });
});
