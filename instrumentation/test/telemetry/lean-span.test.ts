/**
 * The SDK's own GenAI spans (when it owns the tracer provider) against the
 * OpenTelemetry SDK tracer with the same provider settings: the same span
 * data, serialized to the same OTLP bytes, and the same sampling decisions.
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { LeanSpan, LeanTracer } from '../../src/telemetry/lean-span.js';

const resource = resourceFromAttributes({ 'service.name': 'lean-test' });
const START_MS = Date.parse('2026-11-01T12:00:00.123Z');
const END_MS = START_MS + 1234;

/** A processor keeping what it is handed. */
function capture(): SpanProcessor & { started: Span[]; ended: ReadableSpan[] } {
  const started: Span[] = [];
  const ended: ReadableSpan[] = [];
  return { started, ended, onStart: (span) => started.push(span), onEnd: (span) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
}

const startAttributes = (): Attributes => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4.1-mini' });
const endAttributes = (): Attributes => ({
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 64,
  'tokenmeter.outcome': 'error',
  'tokenmeter.unpriced': false,
  'tokenmeter.cost.usd': 0.000_512,
  'tokenmeter.price.id': 'openai/gpt-4.1-mini',
  'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
  'tokenmeter.feature': 'answers',
  'user.id': 'u-42',
  'error.type': 'RateLimitError',
});

/** The same call as a span: started, attributes set, a failure status, an event, ended. */
function drive(span: Span): void {
  span.setAttributes(endAttributes());
  span.addEvent('retry', { attempt: 2 }, START_MS + 10);
  span.setStatus({ code: SpanStatusCode.ERROR, message: '429 rate limited' });
  span.end(END_MS);
}

describe('LeanSpan', () => {
  it('exports the same OTLP bytes as the SDK tracer for the same call', () => {
    const sdkProcessor = capture();
    const provider = new TracerProvider({ resource, spanProcessors: [sdkProcessor] });
    const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const parentContext = trace.setSpanContext(ROOT_CONTEXT, parent);
    const sdkSpan = provider.getTracer('@tokenmeter/instrumentation').startSpan('chat gpt-4.1-mini', { kind: SpanKind.CLIENT, attributes: startAttributes(), startTime: START_MS }, parentContext);
    drive(sdkSpan);

    const leanProcessor = capture();
    const lean = new LeanSpan('chat gpt-4.1-mini', sdkSpan.spanContext(), parent, startAttributes(), START_MS, performance.now(), {
      resource,
      processor: leanProcessor,
      scope: { name: '@tokenmeter/instrumentation' },
    });
    drive(lean);

    const [sdkEnded] = sdkProcessor.ended;
    const [leanEnded] = leanProcessor.ended;
    for (const field of ['name', 'kind', 'startTime', 'endTime', 'duration', 'status', 'attributes', 'events', 'links', 'ended', 'droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount'] as const) {
      expect(leanEnded![field], field).toEqual(sdkEnded![field]);
    }
    expect(leanEnded!.parentSpanContext).toEqual(sdkEnded!.parentSpanContext);
    const bytes = (spans: ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(bytes([leanEnded!]).equals(bytes([sdkEnded!]))).toBe(true);
  });

  it('follows the SDK limits: 128 attributes, then counted as dropped; nothing changes once ended', () => {
    const processor = capture();
    const span = new LeanTracer({ resource, processor, scope: { name: 't' } }).startSpan('s', {}, START_MS, performance.now(), ROOT_CONTEXT);
    for (let i = 0; i < 130; i++) span.setAttribute(`k${i}`, i);
    span.setAttribute('k0', 'replaced'); // an existing key is replaced, not counted
    span.setAttribute('bad', { nested: true } as never); // not an attribute value: ignored
    span.end(END_MS);
    span.setAttribute('late', 1);
    span.end();
    const [ended] = processor.ended;
    expect(Object.keys(ended!.attributes)).toHaveLength(128);
    expect(ended!.attributes.k0).toBe('replaced');
    expect(ended!.droppedAttributesCount).toBe(2);
    expect(processor.ended).toHaveLength(1);
    expect(processor.started).toEqual([span]);
  });
});

describe('LeanTracer sampling (parent-based, always on at the root, as the SDK default)', () => {
  const tracer = new LeanTracer({ resource, processor: capture(), scope: { name: 't' } });

  it('starts a new trace at the root and continues a sampled parent', () => {
    const root = tracer.startSpan('root', {}, START_MS, performance.now(), ROOT_CONTEXT);
    expect(root.isRecording()).toBe(true);
    expect(trace.isSpanContextValid(root.spanContext())).toBe(true);
    const child = tracer.startSpan('child', {}, START_MS, performance.now(), trace.setSpan(context.active(), root)) as LeanSpan;
    expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(child.spanContext().spanId).not.toBe(root.spanContext().spanId);
    expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
  });

  it('does not record under a parent that is not sampled, but keeps the trace', () => {
    const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true };
    const span = tracer.startSpan('x', {}, START_MS, performance.now(), trace.setSpanContext(ROOT_CONTEXT, parent));
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext()).toMatchObject({ traceId: parent.traceId, traceFlags: TraceFlags.NONE });
  });

  it('records nothing where tracing is suppressed', () => {
    const span = tracer.startSpan('x', {}, START_MS, performance.now(), suppressTracing(ROOT_CONTEXT));
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
  });
});
