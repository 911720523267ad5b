import { context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { post, sample, scrape, startTestCollector } from '../helpers/otlp.js';

const USAGE = {
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'claude-haiku-4-5',
  'gen_ai.usage.input_tokens': 12,
  'gen_ai.usage.output_tokens': 20,
};

/** Our SDK's call span with the Anthropic SDK's native span as its child; the child ends (and is exported) first. */
async function nestedCall(service: string, withOwnParent: boolean): Promise<Buffer> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const ours = provider.getTracer('@tokenmeter/instrumentation');
  const native = provider.getTracer('com.anthropic.sdk.typescript');
  const parent = withOwnParent ? ours.startSpan('chat claude-haiku-4-5', { attributes: USAGE }) : undefined;
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  native.startSpan('chat claude-haiku-4-5', { attributes: USAGE }, ctx).end();
  parent?.end();
  const bytes = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  await provider.shutdown();
  if (!bytes) throw new Error('serializer returned nothing');
  return Buffer.from(bytes);
}

describe('our own spans and a native SDK span of the same call', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('a native child span of our own (ignored) span is not counted again, even when it comes first', async () => {
    expect((await post(c, '/v1/traces', await nestedCall('nested', true))).status).toBe(200);
    expect((await post(c, '/v1/traces', await nestedCall('alone', false))).status).toBe(200);
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_requests_total', { job: 'nested' })).toBeUndefined();
    // The same native span without our SDK around it is a third-party call and counts.
    expect(sample(text, 'tokenmeter_requests_total', { job: 'alone' })).toBe(1);
  });
});

describe('a service that runs our SDK', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('does not count a native span exported in another batch than our span, but counts providers our SDK does not patch', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'split' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const ours = provider.getTracer('@tokenmeter/instrumentation');
    const native = provider.getTracer('com.anthropic.sdk.typescript');
    const other = provider.getTracer('@traceloop/instrumentation-vertexai');
    const send = async (): Promise<void> => {
      const bytes = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
      exporter.reset();
      if (!bytes) throw new Error('serializer returned nothing');
      expect((await post(c, '/v1/traces', Buffer.from(bytes))).status).toBe(200);
    };
    // Call 1: our span and its native child in one export.
    const first = ours.startSpan('chat', { attributes: USAGE });
    native.startSpan('chat', { attributes: USAGE }, trace.setSpan(context.active(), first)).end();
    first.end();
    await send();
    // Call 2: the batch boundary falls between the native child (first export) and our span (next export).
    const second = ours.startSpan('chat', { attributes: USAGE });
    native.startSpan('chat', { attributes: USAGE }, trace.setSpan(context.active(), second)).end();
    await send();
    second.end();
    // A Vertex AI call of the same service, which our SDK does not measure.
    other.startSpan('chat gemini-2.5-flash', { attributes: { ...USAGE, 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.request.model': 'gemini-2.5-flash' } }).end();
    await send();
    await provider.shutdown();
    const text = await scrape(c);
    expect(sample(text, 'tokenmeter_requests_total', { job: 'split', gen_ai_provider_name: 'anthropic' })).toBeUndefined();
    expect(sample(text, 'tokenmeter_requests_total', { job: 'split' })).toBe(1);
  });
});
