/**
 * Builds real OTLP payloads with the OpenTelemetry JS SDK and its own
 * serializers (the bytes its exporters send), and starts an in-process
 * collector on loopback ports.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import { ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { loadConfig, startCollector } from '../../src/index.js';
import type { RunningCollector, StartOptions } from '../../src/index.js';

export interface SpanSpec {
  name?: string;
  attributes: Attributes;
  error?: boolean;
  /** Epoch ms; default now. */
  startMs?: number;
  endMs?: number;
}

/** Spans of one scope and resource, encoded as `ExportTraceServiceRequest` protobuf. */
export async function encodeSpans(scope: string, resource: Attributes, specs: SpanSpec[]): Promise<Buffer> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes(resource), spanLimits: { attributeCountLimit: 100_000 }, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer(scope);
  for (const spec of specs) {
    const span = tracer.startSpan(spec.name ?? 'chat', { attributes: spec.attributes, ...(spec.startMs !== undefined ? { startTime: spec.startMs } : {}) });
    if (spec.error) span.setStatus({ code: 2, message: 'failed' });
    span.end(spec.endMs);
  }
  await provider.forceFlush();
  const bytes = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  await provider.shutdown();
  if (!bytes) throw new Error('serializer returned nothing');
  return Buffer.from(bytes);
}

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Metrics recorded by `record`, collected once and encoded as `ExportMetricsServiceRequest` protobuf. */
export async function encodeMetrics(
  scope: string,
  resource: Attributes,
  record: (meter: Meter) => void,
  temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE,
): Promise<Buffer> {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => temporality, cardinalitySelector: () => 1_000_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader] });
  record(provider.getMeter(scope));
  const { resourceMetrics } = await reader.collect();
  const bytes = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
  await provider.shutdown();
  if (!bytes) throw new Error('serializer returned nothing');
  return Buffer.from(bytes);
}

/** Starts the collector on loopback with free ports and the given extra environment. */
export function startTestCollector(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningCollector> {
  return startCollector(
    loadConfig({ TOKENMETER_COLLECTOR_HOST: '127.0.0.1', TOKENMETER_COLLECTOR_OTLP_PORT: '0', TOKENMETER_COLLECTOR_METRICS_PORT: '0', TOKENMETER_LOG_LEVEL: 'silent', ...env }),
    options,
  );
}

/** One sample of the exposition: the value of the series of `name` whose labels include all of `labels`. */
export function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function scrape(collector: RunningCollector): Promise<string> {
  return (await fetch(`${collector.metricsUrl}/metrics`)).text();
}

export function post(collector: RunningCollector, path: string, body: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/x-protobuf' }): Promise<Response> {
  // Uint8Array, not Buffer: with lib.dom in the program (vitest's optional jsdom types) Buffer is no fetch BodyInit.
  return fetch(`${collector.otlpUrl}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
}
