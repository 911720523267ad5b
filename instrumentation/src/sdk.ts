/**
 * `startTokenmeter()`: the SDK's set-up, run once by the register hooks (when
 * the process first loads an instrumented SDK) or by an application that
 * wants it programmatically. Parses the configuration, installs the metrics
 * (Prometheus and/or OTLP) and, when asked, tracing, sets the default
 * attribution, links to the control plane, and flushes on exit and on
 * SIGTERM/SIGINT. Respects an application that set up its own OpenTelemetry
 * SDK. In a worker thread it opens no endpoint: the main thread counts the
 * worker's calls.
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
import { governanceConfigGate } from './control/config-gate.js';
import { startControlLink, type ControlLink } from './control/index.js';
import { drainAfterCall } from './core/after-call.js';
import { TRACER_NAME } from './core/call.js';
import { ControlMetrics } from './control/metrics.js';
import { addGate, addSink, type CallSink } from './core/hooks.js';
import { setSpanStarter } from './core/span-starter.js';
import { configureFingerprints } from './fingerprint/fingerprint.js';
import { deriveFingerprintKey } from './fingerprint/key.js';
import { INSTRUMENTATION_VERSION } from './instrumentations/version.js';
import { Accumulator } from './telemetry/accumulator.js';
import { ApiBridge } from './telemetry/api-bridge.js';
import { LeanTracer } from './telemetry/lean-span.js';
import { EncodingSpanProcessor } from './telemetry/encoding-span-processor.js';
import { createOtlpProtobufSpanExporter } from './telemetry/otlp-span-exporter.js';
import { OtlpSpanSerializer } from './telemetry/otlp-span-serializer.js';
import { otelSdk } from './telemetry/otel-sdk.js';
import { AccumulatorProducer } from './telemetry/producer.js';
import { flushOnSignals } from './process/signals.js';
import { flushWorkers, forwardToMainThread, isMainThread, receiveWorkerCalls, workerCallHandler } from './process/workers.js';

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
  const { config, problems, warnings } = parseConfig(options.env ?? process.env, { strict: options.strict ?? false });
  for (const problem of problems) warn(`${problem.message}; using the default`);
  for (const warning of warnings) warn(warning);
  current = config.disabled ? disabledHandle(config) : start(config);
  return current;
}

function start(config: TokenmeterConfig): TokenmeterHandle {
  const resource = buildResource(config);
  setDefaultAttribution({ ...attributionFromResource(resource.attributes), ...config.attribution });
  const fingerprintKey = deriveFingerprintKey({ key: config.promptFingerprint.key, apiToken: config.apiToken });
  configureFingerprints({ enabled: config.promptFingerprint.enabled, key: fingerprintKey.key });
  if (config.promptFingerprint.enabled && fingerprintKey.source === 'random') {
    diag.info('tokenmeter: prompt fingerprints use a random key for this process; set TOKENMETER_FINGERPRINT_KEY (or TOKENMETER_API_TOKEN) to compare them across processes');
  }

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
  const worker = isMainThread ? undefined : forwardToMainThread(() => forceFlush());
  if (worker !== undefined) {
    // A worker thread: the main thread's metrics count this thread's calls.
    removers.push(addSink(guardSink(worker.sink)), () => worker.close());
  } else if (isNoop(metrics.getMeterProvider())) {
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
    const sink = guardSink((call) => {
      accumulator.record(call);
    });
    removers.push(addSink(sink), receiveFromWorkers(sink));
  } else {
    // The application runs its own metrics SDK: publish through its global meter instead.
    const bridge = new ApiBridge(accumulator, metrics.getMeter('@tokenmeter/instrumentation', INSTRUMENTATION_VERSION), config.semconv);
    const sink = guardSink((call) => bridge.record(call, accumulator.record(call)));
    removers.push(addSink(sink), receiveFromWorkers(sink));
  }

  // A mistake in a governance setting never weakens governance silently: an error, counted, and where fail-closed was meant, a refusal of every call.
  if (config.governance.length > 0) {
    const controlMetrics = new ControlMetrics();
    for (const problem of config.governance) {
      error(problem.message);
      controlMetrics.configError(problem.variable);
    }
    const refusing = config.governance.find((problem) => problem.refuse);
    if (refusing !== undefined) removers.push(addGate(governanceConfigGate(refusing, controlMetrics)));
  }

  let tracerProvider: TracerProvider | undefined;
  if (config.tracesExporter === 'otlp' && isNoop((trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.())) {
    const { TracerProvider, BatchSpanProcessor } = otelSdk.sdkTrace();
    const processor = config.otlpTracesProtocol === 'http/json' ? new BatchSpanProcessor({ exporter: new (otelSdk.otlpTraceExporterJson().OTLPTraceExporter)() }) : otlpProtobufSpanProcessor();
    const { AsyncLocalStorageContextManager } = otelSdk.contextManager();
    tracerProvider = new TracerProvider({ resource, spanProcessors: [processor] });
    // Our GenAI spans skip the SDK tracer's per-attribute validation, into the same processor (telemetry/lean-span.ts).
    removers.push(setSpanStarter(new LeanTracer({ resource, processor, scope: { name: TRACER_NAME } })));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
  }

  let link: ControlLink | undefined;
  if (config.controlPlane !== undefined) {
    link = startControlLink({
      url: config.controlPlane.url,
      ...(config.controlPlane.token !== undefined ? { token: config.controlPlane.token } : {}),
      enforcement: config.enforcement,
      reportIntervalMillis: config.controlPlane.reportIntervalMillis,
      maxBufferedRecords: config.controlPlane.maxBufferedRecords,
      startupWaitMillis: config.enforcementStartupWaitMillis,
      ...(config.serviceName !== undefined ? { serviceName: config.serviceName } : {}),
    });
  }

  let flushing: Promise<void> | undefined;
  async function forceFlush(): Promise<void> {
    drainAfterCall(); // spans and records waiting for the after-call batch (fingerprints, span ends)
    await Promise.allSettled([meterProvider?.forceFlush(), tracerProvider?.forceFlush(), link?.forceFlush(), isMainThread ? flushWorkers() : undefined]);
  }
  // Flush what is pending when the event loop empties (process.exit() cannot wait for it).
  process.once('beforeExit', () => {
    flushing ??= forceFlush();
  });
  // process.exit() runs no more callbacks: buffered usage is delivered synchronously (bounded), on a worker thread.
  if (link !== undefined) {
    const onExit = (): void => {
      drainAfterCall();
      link?.flushSync(config.shutdownFlushMillis);
    };
    process.once('exit', onExit);
    removers.push(() => process.removeListener('exit', onExit));
  }
  // Buffered usage and pushed telemetry are delivered before a signal ends the process (Prometheus is pulled: nothing to flush).
  const pushes = link !== undefined || tracerProvider !== undefined || config.metricsExporters.includes('otlp');
  if (isMainThread && pushes) removers.push(flushOnSignals(forceFlush, config.shutdownFlushMillis));

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

/** Over protobuf each span is encoded as it ends, and batches keep the bytes (telemetry/encoding-span-processor.ts). */
function otlpProtobufSpanProcessor(): EncodingSpanProcessor {
  const serializer = new OtlpSpanSerializer();
  return new EncodingSpanProcessor({ serializer, exporter: createOtlpProtobufSpanExporter(serializer) });
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

/** Counts the calls worker threads post with `sink`; returns the undoing. */
function receiveFromWorkers(sink: CallSink): () => void {
  receiveWorkerCalls(sink);
  return () => {
    if (workerCallHandler() === sink) receiveWorkerCalls(undefined);
  };
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

/** Logs an error (an invalid governance setting) once, at error level. */
function error(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  diag.error(`tokenmeter: ${message}`);
  process.stderr.write(`tokenmeter: ERROR: ${message}\n`);
}

/** Attributes of the SDK's resource, for tests. */
export type ResourceAttributes = Attributes;
