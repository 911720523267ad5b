/**
 * Everything the collector remembers per user, span or series is capped, so
 * a flood of distinct users cannot grow memory without bound (the figures are
 * measured in bench/memory.js).
 */
import { describe, expect, it } from 'vitest';
import { SameCallFilter } from '../../src/normalize/same-call-filter.js';
import { encodeMetrics, encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

describe('bounded state', () => {
  it('the same-call memory keeps at most maxEntries per rule', () => {
    const filter = new SameCallFilter(1000);
    for (let i = 0; i < 20_000; i++) {
      const trace = i.toString(16).padStart(32, '0');
      filter.admit(trace, 'aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb');
      filter.admitCall(
        { id: '', startMs: i, durationMs: 1, provider: 'openai', operation: 'chat', requestModel: 'm', responseModel: undefined, serviceTier: undefined, tokens: { input: i, output: 1, cache_read: 0, cache_write: 0, reasoning: 0 }, cacheWrite1hTokens: 0, attribution: {}, outcome: 'ok', errorType: undefined },
        'job',
        'scope',
      );
    }
    expect(filter.size()).toBe(3 * 1000);
  });

  it('5,000 distinct users in spans and metrics hold at most the series cap per family, and totals stay right', async () => {
    const c = await startTestCollector({ TOKENMETER_COLLECTOR_SERIES_LIMIT: '50' });
    try {
      const users = Array.from({ length: 5000 }, (_, i) => `u${i}`);
      const spans = await encodeSpans('third-party', { 'service.name': 'many' }, users.map((u) => ({ attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 2, 'gen_ai.usage.output_tokens': 1, 'user.id': u } })));
      expect((await post(c, '/v1/traces', spans)).status).toBe(200);
      const metrics = await encodeMetrics('contrib', { 'service.name': 'many' }, (m) => {
        const h = m.createHistogram('gen_ai.client.token.usage');
        for (const u of users) h.record(3, { 'gen_ai.token.type': 'input', 'user.id': u });
      });
      expect((await post(c, '/v1/metrics', metrics)).status).toBe(200);
      const text = await scrape(c);
      for (const family of ['tokenmeter_tokens_total', 'tokenmeter_requests_total', 'tokenmeter_cost_total', 'gen_ai_client_token_usage_count']) {
        const lines = text.split('\n').filter((l) => l.startsWith(`${family}{`));
        expect(lines.length, family).toBeLessThanOrEqual(50 + 3); // the cap, plus an overflow series per kept label value
      }
      expect(sample(text, 'tokenmeter_tokens_total', { job: 'many', gen_ai_token_type: 'input' })).toBe(10_000);
      expect(sample(text, 'tokenmeter_requests_total', { job: 'many' })).toBe(5000);
      expect(sample(text, 'gen_ai_client_token_usage_count', { job: 'many' })).toBe(5000);
    } finally {
      await c.shutdown();
    }
  });
});
