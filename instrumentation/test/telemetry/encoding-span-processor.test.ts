/**
 * The OTLP protobuf batch processor: spans encoded as they end, batched and
 * exported as sdk-trace's BatchSpanProcessor does, in the bytes otlp-transformer writes.
 */
import { context, diag, DiagLogLevel, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EncodingSpanProcessor, type EncodedSpanExporter } from '../../src/telemetry/encoding-span-processor.js';
import { otelSdk } from '../../src/telemetry/otel-sdk.js';
import { OtlpSpanSerializer, type EncodedSpans } from '../../src/telemetry/otlp-span-serializer.js';

const { ExportResultCode, isTracingSuppressed, setGlobalErrorHandler, loggingErrorHandler } = otelSdk.core();

interface Export {
  bytes: Buffer;
  /** The request as the exporter got it (not a copy: the serializer's buffer). */
  raw: Uint8Array;
  spans: number;
  suppressed: boolean;
  done: (result: ExportResult) => void;
}

/** Records each export (its request bytes, as the OTLP exporter would send them) and answers when the test says. */
function recordingExporter(serializer: OtlpSpanSerializer): EncodedSpanExporter & { exports: Export[]; shutdowns: number } {
  const exports: Export[] = [];
  const exporter = {
    exports,
    shutdowns: 0,
    export(batch: EncodedSpans, done: (result: ExportResult) => void) {
      const raw = serializer.serializeBatch(batch);
      exports.push({ bytes: Buffer.from(raw), raw, spans: batch.length, suppressed: isTracingSuppressed(context.active()), done });
    },
    forceFlush: async () => {},
    shutdown: async () => {
      exporter.shutdowns++;
    },
  };
  return exporter;
}

const ok = { code: ExportResultCode.SUCCESS };

/** Ended SDK spans of `resource`, under `scope` (alternating scopes when two are given). */
function endedSpans(count: number, resource: Resource = resourceFromAttributes({ 'service.name': 'batch-test' }), scopes = ['scope-a']): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const capture: SpanProcessor = { onStart: () => {}, onEnd: (span) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new TracerProvider({ resource, spanProcessors: [capture] });
  for (let i = 0; i < count; i++) {
    const span = provider.getTracer(scopes[i % scopes.length]!).startSpan(`call ${i}`, { attributes: { 'gen_ai.request.model': 'gpt-4.1-mini', n: i } }, ROOT_CONTEXT);
    span.end();
  }
  return ended;
}

function reference(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

let serializer: OtlpSpanSerializer;
let exporter: ReturnType<typeof recordingExporter>;
const errors: unknown[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  serializer = new OtlpSpanSerializer();
  exporter = recordingExporter(serializer);
  errors.length = 0;
  setGlobalErrorHandler((error) => errors.push(error));
});
afterEach(() => {
  vi.useRealTimers();
  setGlobalErrorHandler(loggingErrorHandler());
});

describe('EncodingSpanProcessor', () => {
  it('exports full batches one at a time, in order, each the bytes otlp-transformer writes for its spans', async () => {
    const processor = new EncodingSpanProcessor({ serializer, exporter, maxExportBatchSize: 3, maxQueueSize: 100 });
    const spans = endedSpans(7, undefined, ['scope-a', 'scope-b']);
    for (const span of spans) processor.onEnd(span);
    // The first full batch went at once; the second waits for its answer.
    expect(exporter.exports.map((e) => e.spans)).toEqual([3]);
    exporter.exports[0]!.done(ok);
    await vi.advanceTimersByTimeAsync(0);
    expect(exporter.exports.map((e) => e.spans)).toEqual([3, 3]);
    exporter.exports[1]!.done(ok);
    await vi.advanceTimersByTimeAsync(0);
    // The last span waits for the scheduled delay.
    expect(exporter.exports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4999);
    expect(exporter.exports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(exporter.exports.map((e) => e.spans)).toEqual([3, 3, 1]);
    exporter.exports[2]!.done(ok);
    expect(exporter.exports.map((e) => e.bytes)).toEqual([reference(spans.slice(0, 3)), reference(spans.slice(3, 6)), reference(spans.slice(6))]);
  });

  it('groups each batch by resource, then scope, in order of first appearance', async () => {
    const processor = new EncodingSpanProcessor({ serializer, exporter, maxExportBatchSize: 6 });
    const first = endedSpans(3, resourceFromAttributes({ 'service.name': 'one' }), ['x', 'y']);
    const second = endedSpans(3, resourceFromAttributes({ 'service.name': 'two' }), ['z']);
    const interleaved = [second[0]!, first[0]!, second[1]!, first[1]!, first[2]!, second[2]!];
    for (const span of interleaved) processor.onEnd(span);
    expect(exporter.exports[0]!.bytes).toEqual(reference(interleaved));
    // The next batch starts empty: only its own groups, in its own order.
    exporter.exports[0]!.done(ok);
    await vi.advanceTimersByTimeAsync(0);
    processor.onEnd(first[2]!);
    const flushed = processor.forceFlush();
    await vi.advanceTimersByTimeAsync(0);
    exporter.exports[1]!.done(ok);
    await flushed;
    expect(exporter.exports[1]!.bytes).toEqual(reference([first[2]!]));
  });

  it('drops spans beyond maxQueueSize (the batch in flight not counted), says how many, and takes spans again once there is room', async () => {
    const warn = vi.fn();
    diag.setLogger({ verbose: () => {}, debug: () => {}, info: () => {}, warn, error: () => {} }, DiagLogLevel.WARN);
    try {
      const processor = new EncodingSpanProcessor({ serializer, exporter, maxExportBatchSize: 2, maxQueueSize: 4 });
      const spans = endedSpans(10);
      for (const span of spans.slice(0, 8)) processor.onEnd(span);
      // 2 in flight, 4 waiting, 2 dropped.
      expect(exporter.exports.map((e) => e.spans)).toEqual([2]);
      exporter.exports[0]!.done(ok);
      await vi.advanceTimersByTimeAsync(0);
      expect(exporter.exports.map((e) => e.spans)).toEqual([2, 2]);
      processor.onEnd(spans[8]!);
      expect(warn).toHaveBeenCalledWith('Dropped 2 spans because maxQueueSize reached');
      exporter.exports[1]!.done(ok);
      await vi.advanceTimersByTimeAsync(0);
      exporter.exports[2]!.done(ok);
      const flushed = processor.forceFlush();
      await vi.advanceTimersByTimeAsync(0);
      for (const e of exporter.exports.slice(3)) e.done(ok);
      await flushed;
      const exported = exporter.exports.reduce((sum, e) => sum + e.spans, 0);
      expect(exported).toBe(7);
      expect(exporter.exports.at(-1)!.bytes).toEqual(reference([spans[8]!]));
    } finally {
      diag.disable();
    }
  });

  it('skips spans that are not sampled, and every span after shutdown, which flushes first', async () => {
    const processor = new EncodingSpanProcessor({ serializer, exporter });
    const [sampled] = endedSpans(1);
    // (The SDK tracer ends no span under an unsampled parent; other tracers' processors may pass one on.)
    const unsampled = { spanContext: () => ({ ...sampled!.spanContext(), traceFlags: TraceFlags.NONE }) } as unknown as ReadableSpan;
    for (const span of [unsampled, sampled!]) processor.onEnd(span);
    const stopped = processor.shutdown();
    await vi.advanceTimersByTimeAsync(0);
    exporter.exports[0]!.done(ok);
    await stopped;
    expect(exporter.exports.map((e) => e.spans)).toEqual([1]);
    expect(exporter.exports[0]!.bytes).toEqual(reference([sampled!]));
    expect(exporter.shutdowns).toBe(1);
    processor.onEnd(sampled!);
    await processor.forceFlush();
    expect(exporter.exports).toHaveLength(1);
  });

  it('reports a failed or unanswered export to the global error handler and goes on with the next batch', async () => {
    const processor = new EncodingSpanProcessor({ serializer, exporter, maxExportBatchSize: 1, exportTimeoutMillis: 1000 });
    const spans = endedSpans(3);
    for (const span of spans) processor.onEnd(span);
    exporter.exports[0]!.done({ code: ExportResultCode.FAILED, error: new Error('collector said 503') });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map(String)).toEqual(['Error: collector said 503']);
    expect(exporter.exports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000); // the second is never answered
    expect(errors.map(String)).toEqual(['Error: collector said 503', 'Error: Timeout']);
    expect(exporter.exports).toHaveLength(3);
    exporter.exports[2]!.done(ok);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(2);
    // The unanswered request's buffer was not reused (a retry may still send it); the answered ones' were.
    for (const span of endedSpans(2)) processor.onEnd(span);
    await vi.advanceTimersByTimeAsync(0);
    expect(Buffer.from(exporter.exports[1]!.raw)).toEqual(exporter.exports[1]!.bytes);
    expect(Buffer.from(exporter.exports[0]!.raw)).not.toEqual(exporter.exports[0]!.bytes);
  });

  it('a flush rejects when an export fails', async () => {
    const processor = new EncodingSpanProcessor({ serializer, exporter });
    processor.onEnd(endedSpans(1)[0]!);
    const flushed = processor.forceFlush();
    await vi.advanceTimersByTimeAsync(0);
    exporter.exports[0]!.done({ code: ExportResultCode.FAILED, error: new Error('refused') });
    await expect(flushed).rejects.toThrow('refused');
  });

  it('waits for the resource’s asynchronous attributes before it writes the request', async () => {
    let settle: (value: string) => void = () => {};
    const resource = resourceFromAttributes({ 'service.name': 'late', 'host.id': new Promise<string>((resolve) => (settle = resolve)) });
    const processor = new EncodingSpanProcessor({ serializer, exporter });
    const spans = endedSpans(2, resource);
    for (const span of spans) processor.onEnd(span);
    const flushed = processor.forceFlush();
    await vi.advanceTimersByTimeAsync(0);
    expect(exporter.exports).toHaveLength(0);
    settle('host-42');
    await vi.advanceTimersByTimeAsync(0);
    expect(exporter.exports).toHaveLength(1);
    exporter.exports[0]!.done(ok);
    await flushed;
    expect(exporter.exports[0]!.bytes.includes(Buffer.from('host-42'))).toBe(true);
    expect(exporter.exports[0]!.bytes).toEqual(reference(spans));
  });
});

describe('OtlpSpanSerializer batches', () => {
  it('keeps a span that failed half-written out of its batch', () => {
    const [good, other] = endedSpans(2);
    const broken = Object.create(good!, {
      attributes: {
        get(): never {
          throw new Error('unreadable');
        },
      },
    }) as ReadableSpan;
    serializer.append(good!);
    expect(() => serializer.append(broken)).toThrow('unreadable');
    serializer.append(other!);
    expect(serializer.pending).toBe(2);
    expect(Buffer.from(serializer.serializeBatch(serializer.takeBatch()))).toEqual(reference([good!, other!]));
  });

  it('the processor reports such a span instead of throwing from its end()', async () => {
    const [good, other] = endedSpans(2);
    const broken = Object.create(good!, { name: { get: (): never => { throw new Error('no name'); } } }) as ReadableSpan;
    const processor = new EncodingSpanProcessor({ serializer, exporter });
    for (const span of [good!, broken, other!]) expect(() => processor.onEnd(span)).not.toThrow();
    expect(errors.map(String)).toEqual(['Error: no name']);
    const flushed = processor.forceFlush();
    await vi.advanceTimersByTimeAsync(0);
    exporter.exports[0]!.done(ok);
    await flushed;
    expect(exporter.exports[0]!.bytes).toEqual(reference([good!, other!]));
  });

  it('exports spans under the active context with tracing suppressed (no span for the export’s own request)', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const processor = new EncodingSpanProcessor({ serializer, exporter });
      processor.onEnd(endedSpans(1)[0]!);
      const flushed = processor.forceFlush();
      await vi.advanceTimersByTimeAsync(0);
      exporter.exports[0]!.done(ok);
      await flushed;
      expect(exporter.exports[0]!.suppressed).toBe(true);
    } finally {
      context.disable();
    }
  });
});
