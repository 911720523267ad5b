// Pre-encoded OTLP protobuf batches for the benchmark, made with the OTel JS
// SDK and its own serializer (the bytes its OTLP/HTTP exporters send).
import { ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

class CollectingReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'o4-mini'];
const RESOURCE = { 'service.name': 'bench-app', 'service.instance.id': 'bench-1', 'telemetry.sdk.language': 'nodejs', 'host.name': 'bench-host' };

/** A metrics batch of `points` data points: semconv token histograms and duration histograms plus tokenmeter counters, over `labelSets` attribute sets. */
export async function metricsBatch(points, labelSets = 200) {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, cardinalitySelector: () => 1_000_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(RESOURCE), readers: [reader] });
  const meter = provider.getMeter('@opentelemetry/instrumentation-openai', '0.22.0');
  const tokenUsage = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', advice: { explicitBucketBoundaries: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] } });
  const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
  const tokens = meter.createCounter('tokenmeter.tokens', { unit: '{token}' });
  const cost = meter.createCounter('tokenmeter.cost', { unit: '{USD}' });
  // Each label set yields 2 token-usage points (input/output), 1 duration, 2 tokens, 1 cost = 6 points.
  const sets = Math.max(1, Math.min(labelSets, Math.ceil(points / 6)));
  const perSet = Math.ceil(points / 6 / sets);
  for (let i = 0; i < sets * perSet; i++) {
    const base = {
      'gen_ai.provider.name': i % 2 ? 'openai' : 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': MODELS[i % MODELS.length],
      'gen_ai.response.model': MODELS[i % MODELS.length],
      'tokenmeter.feature': `feature-${i % 7}`,
      'user.id': `user-${i}`,
      'server.address': 'api.example.com',
    };
    tokenUsage.record(100 + i, { ...base, 'gen_ai.token.type': 'input' });
    tokenUsage.record(20 + i, { ...base, 'gen_ai.token.type': 'output' });
    duration.record(0.5, base);
    tokens.add(100, { ...base, 'gen_ai.token.type': 'input' });
    tokens.add(20, { ...base, 'gen_ai.token.type': 'output' });
    cost.add(0.0001, base);
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  let count = 0;
  for (const sm of resourceMetrics.scopeMetrics) for (const m of sm.metrics) count += m.dataPoints.length;
  return { body: Buffer.from(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)), items: count };
}

/** A traces batch of `spans` GenAI client spans as OpenLLMetry's OpenAI instrumentation writes them. */
export async function spansBatch(spans) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes(RESOURCE), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('@traceloop/instrumentation-openai', '0.27.0');
  for (let i = 0; i < spans; i++) {
    const span = tracer.startSpan(`chat ${MODELS[i % MODELS.length]}`, {
      kind: 2,
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': MODELS[i % MODELS.length],
        'gen_ai.response.model': MODELS[i % MODELS.length],
        'gen_ai.request.max_tokens': 256,
        'gen_ai.usage.input_tokens': 1200 + i,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.total_tokens': 1500 + i,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.response.id': `chatcmpl-${i}`,
        'server.address': 'api.openai.com',
        'user.id': `user-${i % 500}`,
        'tokenmeter.feature': `feature-${i % 7}`,
      },
    });
    span.end();
  }
  await provider.forceFlush();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans()));
  await provider.shutdown();
  return { body, items: spans };
}
