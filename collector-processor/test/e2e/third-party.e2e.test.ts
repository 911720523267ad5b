/**
 * End to end, per third-party instrumentation: a child app in the fixture
 * that holds the instrumentation (installed from the registry) makes a real
 * client call against the mock provider with forced usage, exports with real
 * OTLP exporters to the collector, and a real Prometheus scrapes the
 * collector: the stored series show the right tokens, cost and labels.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { TokenUsage } from '@tokenmeter/instrumentation/protocol';
import { startMockLlm } from '@tokenmeter/mock-llm';
import type { RunningMockLlm } from '@tokenmeter/mock-llm';
import { startPrometheus, startProcess, waitFor } from '@tokenmeter/testkit';
import type { RunningPrometheus } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { startTestCollector } from '../helpers/otlp.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..', '..', '..');
const APP = join(here, 'apps', 'instrumented-call.cjs');

interface Case {
  mode: string;
  fixture: string;
  provider: string;
  model: string;
  forced: Partial<TokenUsage>;
  expected: TokenUsage;
}

const zero = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
const CASES: Case[] = [
  // The contrib and OpenLLMetry OpenAI instrumentations report prompt_tokens (which includes cached tokens) and no cache split.
  { mode: 'contrib-openai', fixture: 'tools/sdk-fixtures/openai-v6', provider: 'openai', model: 'gpt-4o-mini', forced: { input: 100, output: 20, cache_read: 50 }, expected: { ...zero, input: 150, output: 20 } },
  { mode: 'traceloop-openai', fixture: 'tools/sdk-fixtures/openai-v6', provider: 'openai', model: 'gpt-4o-mini', forced: { input: 200, output: 30, cache_read: 50 }, expected: { ...zero, input: 250, output: 30 } },
  {
    mode: 'traceloop-anthropic',
    fixture: 'tools/sdk-fixtures/collector-openllmetry',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    forced: { input: 300, output: 40, cache_read: 60, cache_write: 30 },
    expected: { ...zero, input: 300, output: 40, cache_read: 60, cache_write: 30 },
  },
  {
    mode: 'anthropic-native',
    fixture: 'instrumentation',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    forced: { input: 400, output: 50, cache_read: 70, cache_write: 20 },
    expected: { ...zero, input: 400, output: 50, cache_read: 70, cache_write: 20 },
  },
  { mode: 'openlit-openai', fixture: 'tools/sdk-fixtures/collector-openlit', provider: 'openai', model: 'gpt-4o-mini', forced: { input: 500, output: 60, cache_read: 128 }, expected: { ...zero, input: 500, output: 60, cache_read: 128 } },
];

describe('third-party instrumentations → collector → Prometheus', () => {
  let mock: RunningMockLlm;
  let collector: RunningCollector;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    mock = await startMockLlm();
    collector = await startTestCollector();
    const target = new URL(collector.metricsUrl).host;
    // honor_labels keeps the collector's `job` (the service) as the OTel Collector's Prometheus exporter intends.
    prometheus = await startPrometheus({
      config: ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: tokenmeter-collector', '    honor_labels: true', '    scrape_interval: 1s', '    static_configs:', `      - targets: ["${target}"]`, ''].join('\n'),
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await collector?.shutdown();
    await mock?.stop();
  });

  for (const c of CASES) {
    it(`${c.mode}: tokens by type, cost and labels as the SDK would report them`, async () => {
      const service = `e2e-${c.mode}`;
      const app = startProcess(process.execPath, [APP], {
        env: { ...process.env, MODE: c.mode, FIXTURE_DIR: join(ROOT, c.fixture), ROOT_DIR: ROOT, MOCK_URL: mock.url, OTLP_URL: collector.otlpUrl, SERVICE: service, USAGE: JSON.stringify(c.forced) },
      });
      const code = await app.exited;
      expect(code, app.output()).toBe(0);

      const tokens = await waitFor(
        async () => {
          const rows = await prometheus.query(`tokenmeter_tokens_total{job="${service}"}`);
          const sum = rows.reduce((n, r) => n + Number(r.value[1]), 0);
          const want = Object.values(c.expected).reduce((a, b) => a + b, 0);
          return sum === want ? rows : undefined;
        },
        { timeoutMillis: 20_000, what: `tokens of ${service} in Prometheus` },
      );
      const byType: TokenUsage = { ...zero };
      for (const row of tokens) {
        byType[row.metric.gen_ai_token_type as keyof TokenUsage] += Number(row.value[1]);
        expect(row.metric).toMatchObject({ job: service, gen_ai_provider_name: c.provider, gen_ai_operation_name: 'chat', gen_ai_request_model: c.model, gen_ai_response_model: c.model });
      }
      expect(byType).toEqual(c.expected);

      const expectedCost = PriceCatalog.bundled().price({ provider: c.provider, model: c.model, timeMs: Date.now(), tokens: c.expected });
      expect(expectedCost.priced).toBe(true);
      const [cost] = await prometheus.query(`sum(tokenmeter_cost_total{job="${service}"})`);
      expect(Number(cost?.value[1])).toBeCloseTo(expectedCost.costUsd, 12);
      const [requests] = await prometheus.query(`sum(tokenmeter_requests_total{job="${service}",tokenmeter_outcome="ok"})`);
      expect(Number(requests?.value[1])).toBe(1);
      expect(mock.requests().length).toBeGreaterThan(0);
    });
  }

  it('contrib-openai: the semconv token histogram passes through and is not counted again', async () => {
    const rows = await prometheus.query('gen_ai_client_token_usage_sum{job="e2e-contrib-openai"}');
    const byType = Object.fromEntries(rows.map((r) => [r.metric.gen_ai_token_type, Number(r.value[1])]));
    expect(byType).toEqual({ input: 150, output: 20 });
    const [tokens] = await prometheus.query('sum(tokenmeter_tokens_total{job="e2e-contrib-openai"})');
    expect(Number(tokens?.value[1])).toBe(170);
  });
});
