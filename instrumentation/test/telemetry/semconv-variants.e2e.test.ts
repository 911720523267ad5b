import { metrics } from '@opentelemetry/api';
import { freePort, scrapeConfig, startPrometheus, waitFor } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emitFinished } from '../../src/core/hooks.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';
import { families, finishedCall } from './calls.js';

let handle: TokenmeterHandle | undefined;

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  // Each case installs its own global MeterProvider.
  metrics.disable();
  vi.restoreAllMocks();
});

async function start(env: Record<string, string>): Promise<{ port: number; scrape: () => Promise<string> }> {
  const port = await freePort();
  const started = startTokenmeter({ env: { TOKENMETER_PROMETHEUS_HOST: '127.0.0.1', TOKENMETER_PROMETHEUS_PORT: String(port), ...env }, strict: true });
  handle = started;
  await waitFor(() => started.prometheusPort(), { what: 'the Prometheus endpoint' });
  return { port, scrape: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text() };
}

function emit(...calls: Parameters<typeof finishedCall>[0][]): void {
  for (const overrides of calls) {
    emitFinished(finishedCall(overrides), (error) => {
      throw error;
    });
  }
}

const OURS = ['tokenmeter_tokens_total', 'tokenmeter_cost_total', 'tokenmeter_requests_total', 'tokenmeter_unpriced_total', 'tokenmeter_cardinality_overflow_total'];
const STABLE = ['gen_ai_client_token_usage', 'gen_ai_client_operation_duration'];
const LATEST = ['gen_ai_client_inference_usage_input_tokens_total', 'gen_ai_client_inference_usage_output_tokens_total', 'gen_ai_client_inference_duration'];

describe('OTEL_SEMCONV_STABILITY_OPT_IN variants through the real Prometheus exporter', () => {
  it('default: v1.41 histograms and our counters, no unit suffixes', async () => {
    const { scrape } = await start({});
    emit({});
    const names = families(await scrape());
    for (const name of [...OURS, ...STABLE]) expect(names.has(name), name).toBe(true);
    for (const name of LATEST) expect(names.has(name), name).toBe(false);
    expect(names.get('gen_ai_client_token_usage')).toBe('histogram');
    expect(names.get('tokenmeter_cost_total')).toBe('counter');
    // Exactly these families: `{token}`, `{USD}`, `{request}` and `s` add no unit suffix (no `_seconds`, `_USD`).
    expect([...names.keys()].sort()).toEqual([...OURS, ...STABLE, 'target_info'].sort());
  });

  it('gen_ai_latest_experimental: the newer names instead of the v1.41 histograms', async () => {
    const { scrape } = await start({ OTEL_SEMCONV_STABILITY_OPT_IN: 'http,gen_ai_latest_experimental' });
    emit({});
    const text = await scrape();
    const names = families(text);
    for (const name of [...OURS, ...LATEST]) expect(names.has(name), name).toBe(true);
    for (const name of STABLE) expect(names.has(name), name).toBe(false);
    // Counters with semconv semantics: input includes cache (100 + 50 + 10), output includes reasoning (20 + 5).
    expect(text).toMatch(/^gen_ai_client_inference_usage_input_tokens_total\{[^}]*\} 160$/m);
    expect(text).toMatch(/^gen_ai_client_inference_usage_output_tokens_total\{[^}]*\} 25$/m);
  });

  it('gen_ai_latest_experimental/dup: both, scraped and queried by a real Prometheus', async () => {
    const { port } = await start({ OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental/dup' });
    emit({ durationMs: 300 }, { durationMs: 1500, attribution: { org: 'acme', feature: 'answers', user: 'u2' } });
    const prom = await startPrometheus({ config: scrapeConfig([{ job: 'svc', targets: [`127.0.0.1:${port}`] }]) });
    try {
      await waitFor(async () => (await prom.query('gen_ai_client_inference_duration_count')).length > 0, { what: 'a scrape', timeoutMillis: 20_000 });
      const one = async (q: string): Promise<number> => Number((await prom.query(q))[0]?.value[1]);
      expect(await one('sum(gen_ai_client_inference_duration_count)')).toBe(2);
      expect(await one('sum(gen_ai_client_operation_duration_count)')).toBe(2);
      expect(await one('sum(gen_ai_client_operation_duration_bucket{le="0.32"})')).toBe(1);
      expect(await one('sum(gen_ai_client_operation_duration_bucket{le="2.56"})')).toBe(2);
      expect(await one('sum(gen_ai_client_inference_usage_input_tokens_total)')).toBe(320);
      expect(await one('sum(gen_ai_client_token_usage_sum{gen_ai_token_type="output"})')).toBe(50);
      const labels = (await prom.query('gen_ai_client_inference_usage_output_tokens_total{user_id="u2"}'))[0]?.metric;
      expect(labels).toMatchObject({ gen_ai_provider_name: 'openai', gen_ai_operation_name: 'chat', tokenmeter_org: 'acme', tokenmeter_feature: 'answers' });
    } finally {
      await prom.stop();
    }
  });
});

describe('cardinality and safety', () => {
  it('keeps more than the SDK default of 2000 users (no otel_metric_overflow) up to TOKENMETER_USER_CARDINALITY_LIMIT, warning once beyond', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { scrape } = await start({ TOKENMETER_USER_CARDINALITY_LIMIT: '2050' });
    emit(...Array.from({ length: 2150 }, (_, i) => ({ attribution: { org: 'acme', user: `user-${i}` } })));
    const text = await scrape();
    const users = new Set([...text.matchAll(/^tokenmeter_cost_total\{[^}]*user_id="([^"]+)"/gm)].map((m) => m[1]));
    expect(users.size).toBe(2050);
    expect(text).not.toContain('otel_metric_overflow');
    expect(text).toMatch(/^tokenmeter_cardinality_overflow_total(\{[^}]*\})? 100$/m);
    const warnings = stderr.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('distinct user.id values'));
    expect(warnings).toEqual(['tokenmeter: more than 2050 distinct user.id values: further users are counted without the user_id label (raise TOKENMETER_USER_CARDINALITY_LIMIT)\n']);
  });

  it('a bug in the metrics sink never reaches the caller: logged once, later calls still counted', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { scrape } = await start({});
    const errors: unknown[] = [];
    const broken = { ...finishedCall(), tokens: undefined } as unknown as ReturnType<typeof finishedCall>;
    for (let i = 0; i < 3; i++) emitFinished(broken, (error) => errors.push(error));
    emit({ attribution: { org: 'after' } });
    expect(errors).toEqual([]);
    expect(stderr.mock.calls.filter((c) => String(c[0]).includes('the metrics sink failed'))).toHaveLength(1);
    expect(await scrape()).toMatch(/^tokenmeter_requests_total\{[^}]*tokenmeter_org="after"[^}]*\} 1$/m);
  });
});
