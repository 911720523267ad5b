import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

function logsBody(spanId: string, input: number) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'log-svc' } }] },
        scopeLogs: [
          {
            scope: { name: 'some-genai-events' },
            logRecords: [
              {
                timeUnixNano: '1767225600000000000',
                eventName: 'gen_ai.client.inference.operation.details',
                spanId,
                attributes: [
                  { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
                  { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                  { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                ],
                body: { kvlistValue: { values: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: String(input) } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '1' } }] } },
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('/v1/logs', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('counts every record and extracts usage from GenAI events without a span (a span-correlated event is counted by its span)', async () => {
    expect((await post(c, '/v1/logs', logsBody('', 42), { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post(c, '/v1/logs', logsBody('00f067aa0ba902b7', 1000), { 'content-type': 'application/json' })).status).toBe(200);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_collector_received_total', { signal: 'log_records' })).toBe(2);
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'log-svc', gen_ai_token_type: 'input' })).toBe(42);
  });
});
