import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { encodeMetrics, encodeSpans, post, scrape, startTestCollector } from '../helpers/otlp.js';

describe('exposition: one series per label set', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('a passed-through tokenmeter counter and a derived one with the same labels share a series (no duplicate lines)', async () => {
    const labels = { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini', 'tokenmeter.feature': 'f', 'user.id': 'u' };
    const metrics = await encodeMetrics('@tokenmeter/instrumentation', { 'service.name': 'same' }, (m) => m.createCounter('tokenmeter.tokens').add(5, { ...labels, 'gen_ai.token.type': 'input' }));
    expect((await post(c, '/v1/metrics', metrics)).status).toBe(200);
    const spans = await encodeSpans('third-party', { 'service.name': 'same' }, [{ attributes: { ...labels, 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 1 } }]);
    expect((await post(c, '/v1/traces', spans)).status).toBe(200);
    const lines = (await scrape(c)).split('\n').filter((l) => l.startsWith('tokenmeter_tokens_total{') && l.includes('job="same"') && l.includes('gen_ai_token_type="input"'));
    expect(lines).toEqual([
      'tokenmeter_tokens_total{job="same",gen_ai_provider_name="openai",gen_ai_operation_name="chat",gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini",tokenmeter_feature="f",user_id="u",gen_ai_token_type="input"} 12',
    ]);
  });
});
