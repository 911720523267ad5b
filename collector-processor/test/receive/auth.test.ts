/**
 * Bearer tokens: on the OTLP receiver (as the OpenTelemetry Collector's
 * `bearertokenauth` extension), sent by the OpenTelemetry SDK's own OTLP
 * exporter through its `headers` option; and on `/metrics` and `/debug/vars`.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { encodeSpans, post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const ATTRS = { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 1 };

async function spans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'auth-svc' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  provider.getTracer('third-party').startSpan('chat', { attributes: ATTRS }).end();
  await provider.forceFlush();
  const finished = memory.getFinishedSpans();
  await provider.shutdown();
  return [...finished];
}

/** `ExportResultCode` of `@opentelemetry/core`. */
const SUCCESS = 0;
const FAILED = 1;

function exportWith(url: string, headers: Record<string, string>, items: ReadableSpan[]): Promise<{ code: number }> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, headers });
  return new Promise<{ code: number }>((resolve) => exporter.export(items, resolve)).finally(() => exporter.shutdown());
}

describe('bearer-token authentication', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startTestCollector({ TOKENMETER_COLLECTOR_OTLP_TOKEN: 'otlp-old,otlp-new', TOKENMETER_COLLECTOR_METRICS_TOKEN: 'scrape-token' });
  });
  afterAll(async () => {
    await c?.shutdown();
  });
  const scrapeAuth = { authorization: 'Bearer scrape-token' };

  it('accepts the OTel SDK exporter with either configured token (rotation) and refuses it without one', async () => {
    const items = await spans();
    expect((await exportWith(c.otlpUrl, { Authorization: 'Bearer otlp-new' }, items)).code).toBe(SUCCESS);
    expect((await exportWith(c.otlpUrl, { Authorization: 'Bearer otlp-old' }, items)).code).toBe(SUCCESS);
    const refused = await exportWith(c.otlpUrl, {}, items);
    expect(refused.code).toBe(FAILED);
    // The standard variable, as the README tells senders to set it (percent-encoded space).
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'Authorization=Bearer%20otlp-new';
    try {
      expect((await exportWith(c.otlpUrl, {}, items)).code).toBe(SUCCESS);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    }
    const text = await (await fetch(`${c.metricsUrl}/metrics`, { headers: scrapeAuth })).text();
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'auth-svc', gen_ai_token_type: 'input' })).toBe(21);
  });

  it('answers 401 with a Bearer challenge and a google.rpc.Status, before reading the body', async () => {
    const body = await encodeSpans('third-party', { 'service.name': 'intruder' }, [{ attributes: ATTRS }]);
    for (const authorization of [undefined, 'Bearer wrong', 'Basic b3RscC1uZXc6', 'Bearer', 'bearer scrape-token', 'Bearer otlp-new extra']) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await post(c, '/v1/traces', body, headers);
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tokenmeter-collector"');
      expect(((await res.json()) as { code: number }).code).toBe(16);
    }
    // The scheme is case-insensitive, as in the OpenTelemetry Collector.
    expect((await post(c, '/v1/traces', body, { 'content-type': 'application/x-protobuf', authorization: 'bearer otlp-old' })).status).toBe(200);
    const text = await (await fetch(`${c.metricsUrl}/metrics`, { headers: scrapeAuth })).text();
    expect(sample(text, 'tokenmeter_collector_http_requests_total', { signal: 'traces', code: '401' })).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'tokenmeter_tokens_total', { job: 'intruder', gen_ai_token_type: 'input' })).toBe(7);
  });

  it('keeps health checks open on both ports and guards /metrics and /debug/vars with the metrics token', async () => {
    expect((await fetch(`${c.otlpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${c.metricsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${c.metricsUrl}/readyz`)).status).toBe(200);
    for (const path of ['/metrics', '/debug/vars']) {
      const res = await fetch(`${c.metricsUrl}${path}`);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('tokenmeter_');
      expect((await fetch(`${c.metricsUrl}${path}`, { headers: { authorization: 'Bearer otlp-new' } })).status).toBe(401);
      expect((await fetch(`${c.metricsUrl}${path}`, { headers: scrapeAuth })).status).toBe(200);
    }
  });

  it('without a metrics token, /metrics is open (the default, documented)', async () => {
    const open = await startTestCollector();
    try {
      expect((await scrape(open)).length).toBeGreaterThan(0);
      expect((await fetch(`${open.metricsUrl}/metrics`)).status).toBe(200);
    } finally {
      await open.shutdown();
    }
  });
});
