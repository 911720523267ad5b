/**
 * The SDK's OTLP/HTTP protobuf span export: what
 * `@opentelemetry/exporter-trace-otlp-proto` builds (the same
 * `OTEL_EXPORTER_OTLP_*` configuration, retries, timeouts and concurrency
 * limit from otlp-exporter-base), fed batches that `OtlpSpanSerializer`
 * encoded as the spans ended (`encoding-span-processor.ts`).
 */
import { otelSdk } from './otel-sdk.js';
import type { EncodedSpanExporter } from './encoding-span-processor.js';
import type { EncodedSpans, OtlpSpanSerializer } from './otlp-span-serializer.js';

/** `otel.component.type` of the exporter's self-observability metrics (as exporter-trace-otlp-proto names it). */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/** The exporter's self-observability metrics count a batch's spans. */
const METRICS_HELPER = { name: 'span' as const, countItems: (batch: EncodedSpans) => batch.length };

/** The exporter of the batches `serializer` encodes (it writes each request too). */
export function createOtlpProtobufSpanExporter(serializer: OtlpSpanSerializer): EncodedSpanExporter {
  const { OTLPExporterBase } = otelSdk.otlpExporterBase();
  const { convertLegacyHttpOptions, createOtlpHttpExportDelegate } = otelSdk.otlpExporterBaseNodeHttp();
  const { ProtobufTraceSerializer } = otelSdk.otlpTransformer();
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    { serializeRequest: (batch: EncodedSpans) => serializer.serializeBatch(batch), deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data) },
    COMPONENT_TYPE,
    METRICS_HELPER,
    undefined,
  );
  return new OTLPExporterBase(delegate);
}
