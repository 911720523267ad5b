/**
 * The SDK's OTLP/HTTP protobuf span exporter: what
 * `@opentelemetry/exporter-trace-otlp-proto` builds (the same
 * `OTEL_EXPORTER_OTLP_*` configuration, retries, timeouts and concurrency
 * limit from otlp-exporter-base), with `OtlpSpanSerializer` writing the bytes.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { otelSdk } from './otel-sdk.js';
import { OtlpSpanSerializer } from './otlp-span-serializer.js';

/** `otel.component.type` of the exporter's self-observability metrics (as exporter-trace-otlp-proto names it). */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export function createOtlpProtobufSpanExporter(): SpanExporter {
  const { OTLPExporterBase } = otelSdk.otlpExporterBase();
  const { convertLegacyHttpOptions, createOtlpHttpExportDelegate } = otelSdk.otlpExporterBaseNodeHttp();
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } = otelSdk.otlpTransformer();
  const serializer = new OtlpSpanSerializer();
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    { serializeRequest: (spans) => serializer.serializeRequest(spans), deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data) },
    COMPONENT_TYPE,
    TraceExporterMetricsHelper,
    undefined,
  );
  return new OTLPExporterBase(delegate);
}
