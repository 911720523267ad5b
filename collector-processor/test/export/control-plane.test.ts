/**
 * Ledger forwarding, directory enrichment and price refresh against a
 * receiver speaking the control plane's API (test/helpers/control-plane.ts).
 */
import { bundledPrices, formatUsd } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry } from '@tokenmeter/instrumentation/pricing';
import type { UsageRecord } from '@tokenmeter/instrumentation/protocol';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { accepted, startFakeControlPlane } from '../helpers/control-plane.js';
import type { FakeControlPlane } from '../helpers/control-plane.js';
import { encodeMetrics, encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const HOUSE: PriceEntry = {
  id: 'admin-house-model',
  provider: 'openai',
  model_pattern: 'house-model',
  match: 'exact',
  effective_from: '2020-01-01',
  source: 'admin',
  currency: 'USD',
  prices: { input: '1', output: '2' },
};

describe('control plane: prices, directory enrichment and ledger forwarding', () => {
  let cp: FakeControlPlane;
  let c: RunningCollector;
  beforeAll(async () => {
    cp = await startFakeControlPlane({ prices: [...bundledPrices, HOUSE] });
    cp.directory = [{ user: 'alice', department: 'research', org: 'acme' }];
    let answered = 0;
    cp.usage = (records) => (answered++ === 0 ? { status: 503, body: { error: { code: 'unavailable', message: 'try later' } } } : accepted(records));
    c = await startTestCollector({ TOKENMETER_CONTROL_PLANE_URL: cp.url, TOKENMETER_API_TOKEN: 'ingest-token', TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '50', TOKENMETER_COLLECTOR_PRICE_REFRESH_MS: '1000' });
    await waitFor(() => cp.priceRequests.length > 0, { what: 'first price fetch' });
  });
  afterAll(async () => {
    await c?.shutdown();
    await cp?.close();
  });

  it('prices with the control plane table, enriches from the directory, forwards records with span ids and retries keeping them', async () => {
    const spans = await encodeSpans('@traceloop/instrumentation-openai', { 'service.name': 'billing-api' }, [
      { attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'house-model', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 500, 'user.id': 'alice', 'tokenmeter.feature': 'invoices', 'session.id': 'sess-9' } },
      { attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'no-such-model-xyz', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'user.id': 'bob' } },
    ]);
    const own = await encodeSpans('@tokenmeter/instrumentation', { 'service.name': 'billing-api' }, [
      { attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'house-model', 'gen_ai.usage.input_tokens': 999999, 'gen_ai.usage.output_tokens': 1 } },
    ]);
    expect((await post(c, '/v1/traces', spans)).status).toBe(200);
    expect((await post(c, '/v1/traces', own)).status).toBe(200);

    // First delivery answered 503, the retry succeeds with the same ids.
    await waitFor(() => cp.batches.length >= 2, { what: 'retried usage batch', timeoutMillis: 10_000 });
    const [first, second] = cp.batches as [UsageRecord[], UsageRecord[]];
    expect(second.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(second).toHaveLength(2);
    expect(cp.authorizations).toContain('Bearer ingest-token');

    const house = second.find((r) => r.request_model === 'house-model');
    expect(house).toMatchObject({ source: 'collector', provider: 'openai', operation: 'chat', user: 'alice', department: 'research', org: 'acme', feature: 'invoices', session: 'sess-9', service: 'billing-api', outcome: 'ok', price_id: 'admin-house-model' });
    expect(house?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(house?.cost_usd).toBe(formatUsd(2_000_000_000n));
    expect(house?.tokens).toEqual({ input: 1000, output: 500, cache_read: 0, cache_write: 0, reasoning: 0 });
    const unknown = second.find((r) => r.request_model === 'no-such-model-xyz');
    expect(unknown).toMatchObject({ cost_usd: null, user: 'bob' });
    expect(unknown?.department).toBeUndefined();

    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_cost_total', { gen_ai_request_model: 'house-model', tokenmeter_department: 'research', tokenmeter_org: 'acme', user_id: 'alice' })).toBeCloseTo(0.002, 12);
    expect(sample(text, 'tokenmeter_unpriced_total', { gen_ai_request_model: 'no-such-model-xyz' })).toBe(1);
    // The own-SDK span was neither counted nor forwarded.
    expect(sample(text, 'tokenmeter_tokens_total', { gen_ai_token_type: 'input', gen_ai_request_model: 'house-model' })).toBe(1000);
    expect(sample(text, 'tokenmeter_collector_own_spans_skipped_total', {})).toBe(1);

    // The price table is refreshed with the ETag.
    await waitFor(() => cp.priceRequests.includes('"rev-1"'), { what: 'conditional price refresh' });
  });

  it('with TOKENMETER_COLLECTOR_OWN_SPANS=count-and-forward, forwards our SDK’s spans with their prompt fingerprint', async () => {
    const receiver = await startFakeControlPlane();
    const forwarding = await startTestCollector({ TOKENMETER_CONTROL_PLANE_URL: receiver.url, TOKENMETER_COLLECTOR_OWN_SPANS: 'count-and-forward', TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '50' });
    try {
      const usage = { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini', 'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 40 };
      const own = await encodeSpans('@tokenmeter/instrumentation', { 'service.name': 'search-api' }, [
        { attributes: { ...usage, 'tokenmeter.feature': 'fingerprinted', 'tokenmeter.prompt.prefix_hash': '0123456789abcdef0123456789abcdef', 'tokenmeter.prompt.request_hash': 'fedcba9876543210fedcba9876543210', 'tokenmeter.prompt.prefix_tokens': 600, 'gen_ai.request.max_tokens': 256, 'gen_ai.response.finish_reasons': ['stop'] } },
        { attributes: { ...usage, 'tokenmeter.feature': 'malformed', 'tokenmeter.prompt.prefix_hash': 'NOT-HEX', 'tokenmeter.prompt.request_hash': 'fedcba9876543210fedcba9876543210', 'tokenmeter.prompt.prefix_tokens': 600 } },
      ]);
      expect((await post(forwarding, '/v1/traces', own)).status).toBe(200);
      await waitFor(() => receiver.batches.flat().length === 2, { what: 'both own spans forwarded' });
      const records = receiver.batches.flat();
      expect(records.find((r) => r.feature === 'fingerprinted')?.fingerprint).toEqual({
        prefix_hash: '0123456789abcdef0123456789abcdef',
        request_hash: 'fedcba9876543210fedcba9876543210',
        prefix_tokens: 600,
        max_output_tokens: 256,
        finish_reason: 'stop',
      });
      const malformed = records.find((r) => r.feature === 'malformed');
      expect(malformed).toMatchObject({ source: 'collector', tokens: { input: 900, output: 40 } });
      expect(malformed?.fingerprint).toBeUndefined();
    } finally {
      await forwarding.shutdown();
      await receiver.close();
    }
  });

  it('answers 429 when the ledger buffer is full instead of growing', async () => {
    const down = await startFakeControlPlane();
    down.usage = () => ({ status: 503, body: { error: { code: 'unavailable', message: 'try later' } } });
    const small = await startTestCollector({ TOKENMETER_CONTROL_PLANE_URL: down.url, TOKENMETER_COLLECTOR_LEDGER_BUFFER_RECORDS: '3', TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '50', TOKENMETER_COLLECTOR_SHUTDOWN_FLUSH_MS: '100' });
    try {
      const two = await encodeSpans('x', { 'service.name': 's' }, [0, 1].map(() => ({ attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 1 } })));
      expect((await post(small, '/v1/traces', two)).status).toBe(200);
      const busy = await post(small, '/v1/traces', two);
      expect(busy.status).toBe(429);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(Buffer.from(await busy.arrayBuffer()).toString('utf8')).toContain('ledger buffer full');
      expect((await fetch(`${small.metricsUrl}/healthz`)).status).toBe(200);
      // Full: spans and logs are refused before their body is read; metrics, which never go to the ledger, still pass.
      const one = await encodeSpans('x', { 'service.name': 's' }, [{ attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 1 } }]);
      expect((await post(small, '/v1/traces', one)).status).toBe(200);
      const full = await post(small, '/v1/traces', one);
      expect(full.status).toBe(429);
      expect(Buffer.from(await full.arrayBuffer()).toString('utf8')).toContain('ledger buffer full: usage records are waiting for the control plane');
      const metrics = await encodeMetrics('contrib', { 'service.name': 's' }, (m) => m.createCounter('gen_ai.client.inference.usage.input_tokens').add(1));
      expect((await post(small, '/v1/metrics', metrics)).status).toBe(200);
    } finally {
      await small.shutdown();
      await down.close();
    }
  });
});
