/**
 * The OpenTelemetry SDK modules the SDK loads, by the name of their accessor
 * in `otelSdk`. `scripts/bundle-otel-sdk.js` bundles exactly these into
 * `OTEL_SDK_BUNDLE`, next to the compiled `otel-sdk.js`.
 */
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

/** Each module's type, from its package. */
export interface OtelSdkModules {
  core: typeof Core;
  resources: typeof Resources;
  sdkMetrics: typeof SdkMetrics;
  prometheusExporter: typeof ExporterPrometheus;
  otlpMetricExporter: typeof ExporterMetricsOtlpHttp;
  sdkTrace: typeof SdkTrace;
  otlpTraceExporterJson: typeof ExporterTraceOtlpHttp;
  otlpExporterBase: typeof OtlpExporterBase;
  otlpExporterBaseNodeHttp: typeof OtlpExporterBaseNodeHttp;
  otlpTransformer: typeof OtlpTransformer;
  contextManager: typeof ContextAsyncHooks;
}

/** Each module's specifier. `@opentelemetry/api` is not one: the application's copy is used (its global registry is shared). */
export const OTEL_SDK_MODULES: { readonly [K in keyof OtelSdkModules]: string } = {
  core: '@opentelemetry/core',
  resources: '@opentelemetry/resources',
  sdkMetrics: '@opentelemetry/sdk-metrics',
  prometheusExporter: '@opentelemetry/exporter-prometheus',
  otlpMetricExporter: '@opentelemetry/exporter-metrics-otlp-http',
  sdkTrace: '@opentelemetry/sdk-trace',
  otlpTraceExporterJson: '@opentelemetry/exporter-trace-otlp-http',
  otlpExporterBase: '@opentelemetry/otlp-exporter-base',
  otlpExporterBaseNodeHttp: '@opentelemetry/otlp-exporter-base/node-http',
  otlpTransformer: '@opentelemetry/otlp-transformer',
  contextManager: '@opentelemetry/context-async-hooks',
};

/** The bundle's file name, in the folder of the compiled `otel-sdk.js` (`dist/telemetry/`). */
export const OTEL_SDK_BUNDLE = 'otel-sdk.bundle.cjs';
