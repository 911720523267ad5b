/**
 * `startTokenmeter()`: the SDK's set-up, run once by the register hooks (or
 * by an application that wants it programmatically). Parses the
 * configuration, installs the metrics (Prometheus and/or OTLP) and, when
 * asked, tracing, sets the default attribution, and links to the control
 * plane. Respects an application that set up its own OpenTelemetry SDK.
 */
import type * as Http from 'node:http';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { context, diag, metrics, trace, type Attributes, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { setDefaultAttribution } from './attribution/context.js';
import { attributionFromResource } from './attribution/resource.js';
import { parseConfig, type TokenmeterConfig } from './config/env.js';
import type * as Control from './control/index.js';
import type { ControlLink } from './control/index.js';
import { TRACER_NAME } from './core/call.js';
import { addSink, type CallSink } from './core/hooks.js';
import { setSpanStarter } from './core/span-starter.js';
import { INSTRUMENTATION_VERSION } from './instrumentations/version.js';
import { Accumulator } from './telemetry/accumulator.js';
import { ApiBridge } from './telemetry/api-bridge.js';
import { LeanTracer } from './telemetry/lean-span.js';
import { createOtlpProtobufSpanExporter } from './telemetry/otlp-span-exporter.js';
import { otelSdk } from './telemetry/otel-sdk.js';
import { AccumulatorProducer } from './telemetry/producer.js';

export interface StartOptions {
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Throw a `ConfigError` on a bad variable instead of logging it and using the default. */
  strict?: boolean;
}

export interface TokenmeterHandle {
  readonly config: TokenmeterConfig;
  /** The accumulator behind the metrics (for tests and diagnostics). */
  readonly accumulator: Accumulator | undefined;
  /** Port the Prometheus endpoint listens on, once listening. */
  prometheusPort(): number | undefined;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let current: TokenmeterHandle | undefined;
/** Loads one of our own modules when first needed (synchronously: `require` of an ES module). */
const lazyRequire = createRequire(import.meta.url);

/** Starts the SDK once; later calls return the same handle. */
export function startTokenmeter(options: StartOptions = {}): TokenmeterHandle {
  if (current !== undefined) return current;
  const { config, problems } = parseConfig(options.env ?? process.env, { strict: options.strict ?? false });
  for (const problem of problems) warn(`${problem.message}; using the default`);
  current = config.disabled ? disabledHandle(config) : start(config);
  return current;
}

function start(config: TokenmeterConfig): TokenmeterHandle {
  const resource = buildResource(config);
  setDefaultAttribution({ ...attributionFromResource(resource.attributes), ...config.attribution });

  const accumulator = new Accumulator({
    userCardinalityLimit: config.userCardinalityLimit,
    onFirstOverflow: (limit) =>
      warn(`more than ${limit} distinct user.id values: further users are counted without the user_id label (raise TOKENMETER_USER_CARDINALITY_LIMIT)`),
  });
  const removers: Array<() => void> = [];
  const producer = new AccumulatorProducer(accumulator, { version: INSTRUMENTATION_VERSION, ...config.semconv });

  let meterProvider: MeterProvider | undefined;
  let server: Server | undefined;
  let listeningPort: number | undefined;
  const readers: MetricReader[] = [];
  if (isNoop(metrics.getMeterProvider())) {
    const { MeterProvider, PeriodicExportingMetricReader } = otelSdk.sdkMetrics();
    if (config.metricsExporters.includes('prometheus')) {
      const { PrometheusExporter } = otelSdk.prometheusExporter();
      const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
      readers.push(exporter);
      // `require`, not `import`: the ES module facade of node:http costs ~35 ms of start-up (it loads tls).
      const { createServer } = lazyRequire('node:http') as typeof Http;
      server = createServer((req, res) => {
        if ((req.url ?? '/').split('?')[0] === '/metrics') exporter.getMetricsRequestHandler(req, res);
        else res.writeHead(404).end('not found: metrics are at /metrics\n');
      });
      // The endpoint must never keep an app alive that would otherwise exit.
      server.unref();
      server.on('error', (error) => warn(`the Prometheus endpoint on ${config.prometheus.host}:${config.prometheus.port} could not start: ${error.message}`));
      server.listen(config.prometheus.port, config.prometheus.host, () => {
        const address = server?.address();
        listeningPort = typeof address === 'object' && address !== null ? address.port : undefined;
      });
    }
    if (config.metricsExporters.includes('otlp')) {
      // The exporter reads its endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables of process.env.
      const { exportIntervalMillis, exportTimeoutMillis } = config.otlpMetrics;
      const { OTLPMetricExporter } = otelSdk.otlpMetricExporter();
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(),
          metricProducers: [producer],
          exportIntervalMillis,
          exportTimeoutMillis: Math.min(exportTimeoutMillis, exportIntervalMillis),
        }),
      );
    }
    meterProvider = new MeterProvider({ resource, readers });
    metrics.setGlobalMeterProvider(meterProvider);
    removers.push(addSink(
        guardSink((call) => {
          accumulator.record(call);
        }),
      ));
  } else {
    // The application runs its own metrics SDK: publish through its global meter instead.
    const bridge = new ApiBridge(accumulator, metrics.getMeter('@tokenmeter/instrumentation', INSTRUMENTATION_VERSION), config.semconv);
    removers.push(addSink(guardSink((call) => bridge.record(call, accumulator.record(call)))));
  }

  let tracerProvider: TracerProvider | undefined;
  if (config.tracesExporter === 'otlp' && isNoop((trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.())) {
    const { TracerProvider, BatchSpanProcessor } = otelSdk.sdkTrace();
    const exporter = config.otlpTracesProtocol === 'http/json' ? new (otelSdk.otlpTraceExporterJson().OTLPTraceExporter)() : createOtlpProtobufSpanExporter();
    const { AsyncLocalStorageContextManager } = otelSdk.contextManager();
    const processor = new BatchSpanProcessor({ exporter });
    tracerProvider = new TracerProvider({ resource, spanProcessors: [processor] });
    // Our GenAI spans skip the SDK tracer's per-attribute validation, into the same processor (telemetry/lean-span.ts).
    removers.push(setSpanStarter(new LeanTracer({ resource, processor, scope: { name: TRACER_NAME } })));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
  }

  let link: ControlLink | undefined;
  // The control link (HTTP/HTTPS clients, the SSE parser, the reporter) loads only for a control plane.
  const startControlLink = (options: Control.ControlLinkOptions): ControlLink => (lazyRequire('./control/index.js') as typeof Control).startControlLink(options);
  if (config.controlPlane !== undefined && config.enforcement !== 'off') {
    link = startControlLink({
      url: config.controlPlane.url,
      ...(config.controlPlane.token !== undefined ? { token: config.controlPlane.token } : {}),
      enforcement: config.enforcement,
      reportIntervalMillis: config.controlPlane.reportIntervalMillis,
      maxBufferedRecords: config.controlPlane.maxBufferedRecords,
      ...(config.serviceName !== undefined ? { serviceName: config.serviceName } : {}),
    });
  } else if (config.controlPlane !== undefined) {
    link = startControlLink({
      url: config.controlPlane.url,
      ...(config.controlPlane.token !== undefined ? { token: config.controlPlane.token } : {}),
      enforcement: 'off',
      reportIntervalMillis: config.controlPlane.reportIntervalMillis,
      maxBufferedRecords: config.controlPlane.maxBufferedRecords,
      ...(config.serviceName !== undefined ? { serviceName: config.serviceName } : {}),
    });
  }

  let flushing: Promise<void> | undefined;
  const forceFlush = async (): Promise<void> => {
    await Promise.allSettled([meterProvider?.forceFlush(), tracerProvider?.forceFlush(), link?.forceFlush()]);
  };
  // Flush what is pending when the event loop empties (not on process.exit or signals, which the app owns).
  process.once('beforeExit', () => {
    flushing ??= forceFlush();
  });

  let stopped: Promise<void> | undefined;
  return {
    config,
    accumulator,
    prometheusPort: () => listeningPort,
    forceFlush,
    shutdown() {
      stopped ??= (async () => {
        for (const remove of removers) remove();
        await Promise.allSettled([link?.shutdown(), meterProvider?.shutdown(), tracerProvider?.shutdown()]);
        await new Promise<void>((resolve) => (server?.listening === true ? server.close(() => resolve()) : resolve()));
        if (current?.accumulator === accumulator) current = undefined;
      })();
      return stopped;
    },
  };
}

function buildResource(config: TokenmeterConfig): Resource {
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = otelSdk.resources();
  let resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  if (config.serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': config.serviceName }));
  return resource;
}

function isNoop(provider: ApiMeterProvider | unknown): boolean {
  return provider === undefined || (typeof provider === 'object' && provider !== null && /^Noop/.test(provider.constructor.name));
}

function disabledHandle(config: TokenmeterConfig): TokenmeterHandle {
  const handle: TokenmeterHandle = {
    config,
    accumulator: undefined,
    prometheusPort: () => undefined,
    forceFlush: async () => {},
    shutdown: async () => {
      if (current === handle) current = undefined;
    },
  };
  return handle;
}

/** A sink that never throws into the caller's call: a bug in it is logged once and the call proceeds. */
function guardSink(sink: CallSink): CallSink {
  let logged = false;
  return (call) => {
    try {
      sink(call);
    } catch (error) {
      if (logged) return;
      logged = true;
      warn(`the metrics sink failed and this call was not counted (logged once): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };
}

const warned = new Set<string>();
/** Logs a problem once: to diag and to stderr, since diag is silent unless an app set a logger. */
function warn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  diag.warn(`tokenmeter: ${message}`);
  process.stderr.write(`tokenmeter: ${message}\n`);
}

/** Attributes of the SDK's resource, for tests. */
export type ResourceAttributes = Attributes;
