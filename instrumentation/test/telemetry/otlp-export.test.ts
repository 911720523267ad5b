import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAttribution, withAttribution } from '../../src/attribution/context.js';
import { emitFinished } from '../../src/core/hooks.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';
import { finishedCall } from './calls.js';

interface OtlpValue {
  stringValue?: string;
}
interface OtlpPoint {
  attributes: Array<{ key: string; value: OtlpValue }>;
  asDouble?: number;
  asInt?: number | string;
  count?: number | string;
  sum?: number;
  bucketCounts?: Array<number | string>;
  explicitBounds?: number[];
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpPoint[]; isMonotonic?: boolean; aggregationTemporality?: number };
  histogram?: { dataPoints: OtlpPoint[] };
}
interface OtlpRequest {
  resourceMetrics: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }> }>;
}

const received: Array<{ path: string; contentType: string; body: OtlpRequest }> = [];
let receiver: Server;
let handle: TokenmeterHandle;

beforeAll(async () => {
  // The OTLP test receiver: a plain HTTP server decoding OTLP/HTTP JSON.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // The OTLP exporter and the resource env detector read process.env, as in a service.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'tokenmeter.org=resource-org,tokenmeter.department=platform,deployment.environment=test';
  handle = startTokenmeter({
    env: { ...process.env, OTEL_METRICS_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'otlp-test-svc', OTEL_METRIC_EXPORT_INTERVAL: '500', TOKENMETER_FEATURE: 'env-feature' },
    strict: true,
  });
});

afterAll(async () => {
  await handle?.shutdown();
  metrics.disable();
  await new Promise((resolve) => receiver?.close(resolve));
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete process.env.OTEL_RESOURCE_ATTRIBUTES;
});

function attrs(point: OtlpPoint): Record<string, string | undefined> {
  return Object.fromEntries(point.attributes.map((a) => [a.key, a.value.stringValue]));
}

function latest(): Map<string, OtlpMetric> {
  const last = received.at(-1)?.body;
  return new Map((last?.resourceMetrics ?? []).flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => [m.name, m] as const))));
}

describe('OTLP/HTTP metrics export to a test receiver', () => {
  it('pushes our counters and the semconv histograms with resource and default attribution', async () => {
    const costs = [0.000125, 0.0005];
    // As startCall does: the attribution in force, i.e. the defaults under the scoped user.
    const attribution = withAttribution({ user: 'u1' }, () => currentAttribution());
    emitFinished(finishedCall({ attribution, cost: { priced: true, costPicoUsd: 125_000_000n, costUsd: costs[0] as number } }), () => {});
    emitFinished(finishedCall({ attribution, cost: { priced: true, costPicoUsd: 500_000_000n, costUsd: costs[1] as number } }), () => {});
    // Exported by the periodic reader (500 ms), not only on demand.
    await waitFor(() => (latest().get('tokenmeter.cost')?.sum?.dataPoints.length ?? 0) > 0, { what: 'a periodic OTLP export', timeoutMillis: 10_000 });
    const request = received.at(-1);
    expect(request?.path).toBe('/v1/metrics');
    expect(request?.contentType).toContain('application/json');
    const resource = Object.fromEntries((request?.body.resourceMetrics[0]?.resource.attributes ?? []).map((a) => [a.key, a.value.stringValue]));
    expect(resource).toMatchObject({ 'service.name': 'otlp-test-svc', 'deployment.environment': 'test' });

    const m = latest();
    const cost = m.get('tokenmeter.cost');
    expect(cost?.unit).toBe('{USD}');
    expect(cost?.sum?.isMonotonic).toBe(true);
    expect(cost?.sum?.dataPoints[0]?.asDouble).toBeCloseTo(0.000625, 15);
    // Defaults from OTEL_RESOURCE_ATTRIBUTES and TOKENMETER_FEATURE; the call's user on top.
    expect(attrs(cost?.sum?.dataPoints[0] as OtlpPoint)).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.response.model': 'gpt-4.1-mini',
      'tokenmeter.org': 'resource-org',
      'tokenmeter.department': 'platform',
      'tokenmeter.feature': 'env-feature',
      'user.id': 'u1',
    });
    const tokens = m.get('tokenmeter.tokens')?.sum?.dataPoints ?? [];
    expect(Object.fromEntries(tokens.map((p) => [attrs(p)['gen_ai.token.type'], Number(p.asInt)]))).toEqual({ input: 200, output: 40, cache_read: 100, cache_write: 20, reasoning: 10 });
    const usage = m.get('gen_ai.client.token.usage')?.histogram?.dataPoints.find((p) => attrs(p)['gen_ai.token.type'] === 'input');
    expect(usage?.explicitBounds).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    expect(Number(usage?.count)).toBe(2);
    expect(usage?.sum).toBe(320);
    expect(m.get('gen_ai.client.operation.duration')?.unit).toBe('s');
  });

  it('flushes on demand (forceFlush) with the latest totals', async () => {
    const before = received.length;
    emitFinished(finishedCall({ attribution: withAttribution({ user: 'u1' }, () => currentAttribution()) }), () => {});
    await handle.forceFlush();
    expect(received.length).toBeGreaterThan(before);
    const requests = latest().get('tokenmeter.requests')?.sum?.dataPoints[0];
    expect(Number(requests?.asInt)).toBe(3);
    expect(attrs(requests as OtlpPoint)['tokenmeter.outcome']).toBe('ok');
  });
});
