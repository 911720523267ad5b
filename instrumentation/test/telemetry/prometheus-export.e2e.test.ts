import { freePort, scrapeConfig, startPrometheus, waitFor, type RunningPrometheus } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitFinished, type FinishedCall } from '../../src/core/hooks.js';
import { PriceCatalog, picoToUsd } from '../../src/pricing/index.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';

const catalog = PriceCatalog.bundled();
const at = Date.parse('2026-11-01T12:00:00Z');

function call(overrides: Partial<FinishedCall> & Pick<FinishedCall, 'tokens'>): FinishedCall {
  const base = {
    id: Math.random().toString(16).slice(2),
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4.1-mini',
    responseModel: 'gpt-4.1-mini',
    streaming: false,
    attribution: { org: 'acme', department: 'search', feature: 'answers', user: 'u1' },
    startTimeMs: at,
    durationMs: 250,
    outcome: 'ok' as const,
  };
  const merged = { ...base, ...overrides };
  const price = catalog.price({ provider: merged.provider, model: merged.responseModel, timeMs: at, tokens: merged.tokens });
  return { ...merged, cost: overrides.cost ?? price };
}

let handle: TokenmeterHandle;
let prom: RunningPrometheus;
let expectedCostPico = 0n;

beforeAll(async () => {
  const port = await freePort();
  handle = startTokenmeter({ env: { TOKENMETER_PROMETHEUS_HOST: '127.0.0.1', TOKENMETER_PROMETHEUS_PORT: String(port), TOKENMETER_USER_CARDINALITY_LIMIT: '2' }, strict: true });
  const calls = [
    call({ tokens: { input: 1000, output: 200, cache_read: 500, cache_write: 0, reasoning: 50 } }),
    call({ tokens: { input: 10, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 }, attribution: { org: 'acme', user: 'u2' } }),
    call({ tokens: { input: 7, output: 3, cache_read: 0, cache_write: 0, reasoning: 0 }, attribution: { org: 'acme', user: 'u3' } }),
    call({ tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 }, outcome: 'error', errorType: 'RateLimitError', durationMs: 20 }),
    call({ tokens: { input: 40, output: 4, cache_read: 0, cache_write: 0, reasoning: 0 }, responseModel: 'no-such-model', requestModel: 'no-such-model' }),
  ];
  for (const c of calls) {
    expectedCostPico += c.cost.costPicoUsd;
    emitFinished(c, (error) => {
      throw error;
    });
  }
  await waitFor(() => handle.prometheusPort(), { what: 'the Prometheus endpoint' });
  prom = await startPrometheus({ config: scrapeConfig([{ job: 'svc', targets: [`127.0.0.1:${port}`] }]) });
  await waitFor(async () => (await prom.query('tokenmeter_requests_total')).length > 0, { what: 'a scrape', timeoutMillis: 20_000 });
});

afterAll(async () => {
  await prom?.stop();
  await handle?.shutdown();
});

async function value(promql: string): Promise<number> {
  const result = await prom.query(promql);
  return Number(result[0]?.value[1] ?? Number.NaN);
}

describe('metrics scraped by a real Prometheus', () => {
  it('counts tokens by disjoint type with the documented names and labels (docs/architecture.md)', async () => {
    expect(await value('sum(tokenmeter_tokens_total{gen_ai_token_type="input"})')).toBe(1057);
    expect(await value('sum(tokenmeter_tokens_total{gen_ai_token_type="cache_read"})')).toBe(500);
    expect(await value('sum(tokenmeter_tokens_total{gen_ai_token_type="reasoning"})')).toBe(50);
    expect(await value('tokenmeter_tokens_total{gen_ai_token_type="output",user_id="u1",tokenmeter_department="search",tokenmeter_feature="answers",gen_ai_provider_name="openai",gen_ai_operation_name="chat",gen_ai_request_model="gpt-4.1-mini",gen_ai_response_model="gpt-4.1-mini"}')).toBe(200);
  });

  it('reports the exact catalog cost and counts the unpriced model instead of $0', async () => {
    expect(await value('sum(tokenmeter_cost_total)')).toBeCloseTo(picoToUsd(expectedCostPico), 12);
    expect(await value('sum(tokenmeter_unpriced_total{gen_ai_request_model="no-such-model"})')).toBe(1);
  });

  it('counts requests by outcome with error.type', async () => {
    expect(await value('sum(tokenmeter_requests_total{tokenmeter_outcome="ok"})')).toBe(4);
    expect(await value('tokenmeter_requests_total{tokenmeter_outcome="error",error_type="RateLimitError"}')).toBe(1);
  });

  it('emits the semconv histograms with the advised buckets', async () => {
    expect(await value('sum(gen_ai_client_token_usage_count{gen_ai_token_type="input"})')).toBe(4);
    // 1000 + 500 cached input lands in the 4096 bucket, not the 1024 one.
    expect(await value('gen_ai_client_token_usage_bucket{gen_ai_token_type="input",user_id="u1",le="1024"}')).toBe(0);
    expect(await value('gen_ai_client_token_usage_bucket{gen_ai_token_type="input",user_id="u1",le="4096"}')).toBe(1);
    expect(await value('sum(gen_ai_client_operation_duration_count)')).toBe(5);
  });

  it('bounds user_id: past the limit a user folds into the user-less series and the overflow is counted', async () => {
    const users = (await prom.query('count by (user_id) (tokenmeter_requests_total)')).map((r) => r.metric.user_id ?? '(none)');
    expect(users.sort()).toEqual(['(none)', 'u1', 'u2']);
    // u3 (third distinct user, limit 2) is counted in the user-less series of its org.
    expect(await value('sum(tokenmeter_tokens_total{gen_ai_token_type="input",tokenmeter_org="acme",user_id=""})')).toBe(7);
    expect(await value('tokenmeter_cardinality_overflow_total')).toBe(1);
  });

  it('omits missing attribution values instead of writing empty labels', async () => {
    const series = await prom.query('tokenmeter_cost_total{user_id="u2"}');
    expect(series[0]?.metric).not.toHaveProperty('tokenmeter_department');
    expect(series[0]?.metric).not.toHaveProperty('tokenmeter_feature');
  });
});
