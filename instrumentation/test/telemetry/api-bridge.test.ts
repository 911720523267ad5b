import { metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitFinished } from '../../src/core/hooks.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';
import { finishedCall } from './calls.js';

/** The application's own reader, collected on demand. */
class AppReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let reader: AppReader;
let appProvider: MeterProvider;
let handle: TokenmeterHandle;

beforeAll(() => {
  reader = new AppReader();
  appProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(appProvider);
  handle = startTokenmeter({ env: { OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental/dup', TOKENMETER_USER_CARDINALITY_LIMIT: '1' }, strict: true });
});

afterAll(async () => {
  await handle?.shutdown();
  await appProvider?.shutdown();
  metrics.disable();
});

async function collect(): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m] as const)));
}

describe('an application with its own MeterProvider', () => {
  it('keeps the app provider and starts no Prometheus endpoint of ours', () => {
    expect(metrics.getMeterProvider()).toBe(appProvider);
    expect(handle.prometheusPort()).toBeUndefined();
  });

  it('publishes our counters (observable) and the histograms through the app meter', async () => {
    emitFinished(finishedCall({ attribution: { org: 'acme', user: 'u1' } }), () => {});
    emitFinished(finishedCall({ attribution: { org: 'acme', user: 'u1' }, durationMs: 2000 }), () => {});
    emitFinished(finishedCall({ attribution: { org: 'acme', user: 'u2' }, outcome: 'error', errorType: 'APIConnectionError', tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 } }), () => {});
    const m = await collect();

    const tokens = m.get('tokenmeter.tokens');
    expect(tokens?.dataPointType).toBe(DataPointType.SUM);
    const input = tokens?.dataPoints.find((p) => p.attributes['gen_ai.token.type'] === 'input' && p.attributes['user.id'] === 'u1');
    expect(input?.value).toBe(200);

    const requests = m.get('tokenmeter.requests')?.dataPoints ?? [];
    // u2 is past the limit of 1 user: counted without its user label.
    const failed = requests.find((p) => p.attributes['tokenmeter.outcome'] === 'error');
    expect(failed?.attributes).toEqual({ 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini', 'gen_ai.response.model': 'gpt-4.1-mini', 'tokenmeter.org': 'acme', 'tokenmeter.outcome': 'error', 'error.type': 'APIConnectionError' });
    expect(m.get('tokenmeter.cardinality.overflow')?.dataPoints[0]?.value).toBe(1);

    const usage = m.get('gen_ai.client.token.usage');
    const inputHist = usage?.dataPoints.find((p) => p.attributes['gen_ai.token.type'] === 'input')?.value as Histogram | undefined;
    expect(inputHist?.buckets.boundaries).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    expect(inputHist?.count).toBe(2);
    expect(inputHist?.sum).toBe(320);
    const duration = m.get('gen_ai.client.operation.duration');
    expect(duration?.descriptor.unit).toBe('s');
    const ok = duration?.dataPoints.find((p) => p.attributes['error.type'] === undefined)?.value as Histogram | undefined;
    expect(ok?.sum).toBeCloseTo(2.3, 9);
    expect(m.get('gen_ai.client.inference.duration')?.dataPoints.length).toBe(2);
    expect(m.get('gen_ai.client.inference.usage.output_tokens')?.dataPoints[0]?.value).toBe(50);
  });
});
