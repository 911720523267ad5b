/**
 * The OpenTelemetry SDK packages, each loaded the first time the
 * configuration needs it. Loading every one at start-up (both OTLP
 * exporters, the trace SDK, the context manager) cost ~140 ms of CPU on the
 * bench machine whether or not the service exported anything: ~7 µs per call
 * over a 20,000-call run (`npm run bench`, loopback case). They are
 * loaded as their CommonJS builds through one `require`, so that every SDK
 * class comes from one copy of its module (a `MeterProvider` and its readers
 * must share `sdk-metrics`); `@opentelemetry/api` keeps its state in a
 * process-wide global, so its ESM and CommonJS copies agree.
 */
import { createRequire } from 'node:module';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as Core from '@opentelemetry/core';
import type * as ExporterMetricsOtlpHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as ExporterPrometheus from '@opentelemetry/exporter-prometheus';
import type * as ExporterTraceOtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpExporterBase from '@opentelemetry/otlp-exporter-base';
import type * as OtlpExporterBaseNodeHttp from '@opentelemetry/otlp-exporter-base/node-http';
import type * as OtlpTransformer from '@opentelemetry/otlp-transformer';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as SdkTrace from '@opentelemetry/sdk-trace';

const load = createRequire(import.meta.url);

/** `require(specifier)` on first use, then the module itself (a `require` call resolves the path again: microseconds). */
function lazy<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(specifier) as T);
}

export const otelSdk = {
  core: lazy<typeof Core>('@opentelemetry/core'),
  resources: lazy<typeof Resources>('@opentelemetry/resources'),
  sdkMetrics: lazy<typeof SdkMetrics>('@opentelemetry/sdk-metrics'),
  prometheusExporter: lazy<typeof ExporterPrometheus>('@opentelemetry/exporter-prometheus'),
  otlpMetricExporter: lazy<typeof ExporterMetricsOtlpHttp>('@opentelemetry/exporter-metrics-otlp-http'),
  sdkTrace: lazy<typeof SdkTrace>('@opentelemetry/sdk-trace'),
  otlpTraceExporterJson: lazy<typeof ExporterTraceOtlpHttp>('@opentelemetry/exporter-trace-otlp-http'),
  otlpExporterBase: lazy<typeof OtlpExporterBase>('@opentelemetry/otlp-exporter-base'),
  otlpExporterBaseNodeHttp: lazy<typeof OtlpExporterBaseNodeHttp>('@opentelemetry/otlp-exporter-base/node-http'),
  otlpTransformer: lazy<typeof OtlpTransformer>('@opentelemetry/otlp-transformer'),
  contextManager: lazy<typeof ContextAsyncHooks>('@opentelemetry/context-async-hooks'),
};
