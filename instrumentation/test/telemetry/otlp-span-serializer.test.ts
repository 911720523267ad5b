/**
 * The SDK's span serializer writes the bytes otlp-transformer's
 * ProtobufTraceSerializer writes, for every shape of span an exporter meets.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, createTraceState, type Attributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { OtlpSpanSerializer } from '../../src/telemetry/otlp-span-serializer.js';

function provider(resourceAttributes: Attributes): { provider: TracerProvider; ended: ReadableSpan[] } {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = { onStart: () => {}, onEnd: (span) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
  return { provider: new TracerProvider({ resource: resourceFromAttributes(resourceAttributes), spanProcessors: [processor] }), ended };
}

function expectSameBytes(spans: ReadableSpan[], serializer = new OtlpSpanSerializer()): void {
  const reference = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  const ours = Buffer.from(serializer.serializeRequest(spans));
  expect(ours.length).toBe(reference.length);
  expect(ours.equals(reference)).toBe(true);
}

const START = Date.parse('2026-11-01T12:00:00.123Z');

describe('OtlpSpanSerializer', () => {
  it('matches otlp-transformer on every field: kinds, parents, trace state, events, links, statuses, every value type', () => {
    const a = provider({ 'service.name': 'svc-a', 'service.instance.id': 'é-instance ✓', 'process.pid': 4242 });
    const b = provider({ 'service.name': 'svc-b' });
    const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState('vendor=x,other=y') };
    const values: Attributes = {
      str: 'plain',
      unicode: 'naïve café — 日本語 🚀',
      empty: '',
      long: 'x'.repeat(300),
      int: 42,
      negative: -7,
      big: 2 ** 53 - 1,
      double: 0.000_512,
      nan: Number.NaN,
      yes: true,
      no: false,
      strings: ['a', 'b', 'ü'],
      numbers: [1, 2.5, -3],
      mixed: [true, null, undefined, 'z'],
      missing: undefined,
      // Values the SDK accepts beyond the API's attribute types: bytes and a map.
      bytes: new Uint8Array([0, 1, 254, 255]) as never,
      map: { k: 'v', n: 1, inner: { deep: [1, 'two'] } } as never,
    };
    const spans: ReadableSpan[] = [];
    for (const [i, kind] of [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER].entries()) {
      const tracer = (i % 2 === 0 ? a : b).provider.getTracer(i < 3 ? 'scope-one' : 'scope-two', i === 1 ? '1.2.3' : undefined);
      const context = i === 0 ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: i % 2 === 1 });
      const span = tracer.startSpan(`span ${i}`, { kind, attributes: values, startTime: START + i, links: i === 2 ? [{ context: parent, attributes: { weight: 3 } }] : [] }, context);
      span.addEvent('event', { n: i, tags: ['t'] }, START + i + 1);
      span.addEvent('bare event', START + i + 2);
      if (i === 3) span.setStatus({ code: SpanStatusCode.ERROR, message: 'broke ✗' });
      if (i === 4) span.setStatus({ code: SpanStatusCode.OK });
      span.end(START + i + 1000);
    }
    spans.push(...a.ended, ...b.ended);
    expectSameBytes(spans);
  });

  it('matches on large spans (multi-byte lengths) and across batches with more distinct strings than it caches', () => {
    const { provider: p, ended } = provider({ 'service.name': 'big' });
    const tracer = p.getTracer('big');
    const huge = tracer.startSpan('huge', { startTime: START, attributes: { payload: 'y'.repeat(70_000), nested: 'n'.repeat(20_000) } });
    huge.end(START + 5);
    for (let i = 0; i < 5000; i++) {
      const span = tracer.startSpan(`call ${i}`, { startTime: START, attributes: { 'gen_ai.response.id': `chatcmpl-${i}`, 'user.id': `u-${i % 50}` } });
      span.end(START + 1);
    }
    const serializer = new OtlpSpanSerializer();
    expectSameBytes([ended[0]!], serializer);
    for (let batch = 0; batch < 10; batch++) expectSameBytes(ended.slice(1 + batch * 500, 1 + (batch + 1) * 500), serializer);
    expectSameBytes([], serializer);
  });
});
