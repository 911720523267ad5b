/**
 * The GenAI span of one call, against the OpenTelemetry SDK doing the same in
 * the same run: creating it (start with 3 attributes, 13 more at the end,
 * end) through the SDK tracer (what an application's own provider does) and
 * as the SDK's own `LeanSpan` (when tokenmeter owns the provider); and
 * serializing a batch of 512 of them to OTLP protobuf with otlp-transformer's
 * `ProtobufTraceSerializer` and with `OtlpSpanSerializer` (the same bytes).
 * Medians of batches, CPU ns per span. Run after `npx tsc -b instrumentation`:
 *   node instrumentation/bench/spans.js
 */
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { LeanTracer } from '../dist/telemetry/lean-span.js';
import { OtlpSpanSerializer } from '../dist/telemetry/otlp-span-serializer.js';

const ROUNDS = 15;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** Median over rounds of CPU ns per item (robust to other load on the machine), rounds of the cases interleaved. */
function interleaved(cases, itemsPerRound) {
  const samples = cases.map(() => []);
  for (let r = 0; r < ROUNDS + 2; r++) {
    cases.forEach(([, fn], i) => {
      const start = process.cpuUsage();
      fn();
      const used = process.cpuUsage(start);
      if (r >= 2) samples[i].push(((used.user + used.system) * 1000) / itemsPerRound);
    });
  }
  return cases.map(([name], i) => ({ name, medianNanos: median(samples[i]) }));
}

const startAttributes = () => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4.1-mini' });
const endAttributes = (i) => ({
  'gen_ai.usage.input_tokens': 900 + (i % 100),
  'gen_ai.usage.output_tokens': 120,
  'gen_ai.usage.cache_read.input_tokens': 1024,
  'tokenmeter.outcome': 'ok',
  'tokenmeter.unpriced': false,
  'tokenmeter.cost.usd': 0.000_322_2,
  'tokenmeter.price.id': 'openai/gpt-4.1-mini',
  'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
  'gen_ai.response.id': `chatcmpl-${i}`,
  'tokenmeter.department': 'research',
  'tokenmeter.feature': 'search',
  'user.id': `u-${i % 50}`,
  'session.id': `s-${i % 200}`,
});

export function runSpansBench() {
  const resource = resourceFromAttributes({ 'service.name': 'bench', 'telemetry.sdk.language': 'nodejs' });
  let kept = [];
  const processor = { onStart() {}, onEnd: (span) => kept.push(span), forceFlush: async () => {}, shutdown: async () => {} };
  const sdkTracer = new TracerProvider({ resource, spanProcessors: [processor] }).getTracer('@tokenmeter/instrumentation');
  const lean = new LeanTracer({ resource, processor, scope: { name: '@tokenmeter/instrumentation' } });
  const PER_ROUND = 20_000;
  const creation = interleaved(
    [
      ['baseline: SDK tracer span (start, 13 attributes, end)', () => {
        kept = [];
        for (let i = 0; i < PER_ROUND; i++) {
          const span = sdkTracer.startSpan('chat gpt-4.1-mini', { kind: SpanKind.CLIENT, attributes: startAttributes() }, ROOT_CONTEXT);
          span.setAttributes(endAttributes(i));
          span.end();
        }
      }],
      ['LeanSpan (the SDK owns the provider)', () => {
        kept = [];
        for (let i = 0; i < PER_ROUND; i++) {
          const span = lean.startSpan('chat gpt-4.1-mini', startAttributes(), Date.now(), performance.now(), ROOT_CONTEXT);
          span.setAttributes(endAttributes(i));
          span.end();
        }
      }],
    ],
    PER_ROUND,
  );
  kept = [];
  for (let i = 0; i < 512; i++) {
    const span = lean.startSpan('chat gpt-4.1-mini', startAttributes(), Date.now(), performance.now(), ROOT_CONTEXT);
    span.setAttributes(endAttributes(i));
    span.end();
  }
  const batch = kept;
  const ours = new OtlpSpanSerializer();
  const serialization = interleaved(
    [
      ['baseline: otlp-transformer ProtobufTraceSerializer, 512 spans per request', () => {
        for (let k = 0; k < 20; k++) ProtobufTraceSerializer.serializeRequest(batch);
      }],
      ['OtlpSpanSerializer (same bytes)', () => {
        for (let k = 0; k < 20; k++) ours.serializeRequest(batch);
      }],
    ],
    20 * 512,
  );
  const withRatio = (results) => results.map((r) => ({ ...r, ratio: r.medianNanos / results[0].medianNanos }));
  return [...withRatio(creation), ...withRatio(serialization)];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(runSpansBench());
