/**
 * The contenders of the overhead benches, as an outsider sets each up: the
 * bare SDK; tokenmeter through `--require …/register` (Prometheus exporter
 * on, with and without spans over OTLP/HTTP protobuf); and the peers that
 * `tools/sdk-fixtures/openai-v6` installs, each with the OpenTelemetry SDK
 * exporting its spans over OTLP/HTTP protobuf to the same local sink and a
 * Prometheus exporter for its metrics. Peers that are not installed are
 * left out and said so. `BENCH_BEFORE=<dir>` (a copy of an earlier build of
 * this package: its `dist`, `register.cjs` and `package.json`, placed under
 * this package so that its dependencies resolve, e.g. `.tmp/before`) adds
 * `tokenmeter-before` and `tokenmeter-spans-before`, to compare a change
 * with what it replaces in the same run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, findPackageJSON } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE = new URL('../../tools/sdk-fixtures/openai-v6/package.json', import.meta.url);
const fixture = createRequire(FIXTURE);
export const REGISTER = fileURLToPath(new URL('../register.cjs', import.meta.url));

const ALL = [
  { name: 'bare', label: 'bare openai 6 (baseline)' },
  { name: 'tokenmeter', label: 'tokenmeter (register, Prometheus)', tokenmeter: true },
  { name: 'tokenmeter-nofp', label: 'tokenmeter, TOKENMETER_PROMPT_FINGERPRINT=off', tokenmeter: true, env: { TOKENMETER_PROMPT_FINGERPRINT: 'off' } },
  { name: 'tokenmeter-spans', label: 'tokenmeter (register, Prometheus, spans OTLP)', tokenmeter: true, spans: true },
  // The fingerprint's share with spans: what the spans would cost if they did not carry it.
  { name: 'tokenmeter-spans-nofp', label: 'tokenmeter + spans, TOKENMETER_PROMPT_FINGERPRINT=off', tokenmeter: true, spans: true, env: { TOKENMETER_PROMPT_FINGERPRINT: 'off' } },
  { name: 'tokenmeter-before', label: 'tokenmeter, BENCH_BEFORE build', tokenmeter: true, before: true },
  { name: 'tokenmeter-spans-before', label: 'tokenmeter + spans, BENCH_BEFORE build', tokenmeter: true, spans: true, before: true },
  { name: 'contrib', label: '@opentelemetry/instrumentation-openai', peer: '@opentelemetry/instrumentation-openai', spans: true },
  { name: 'traceloop', label: '@traceloop/instrumentation-openai', peer: '@traceloop/instrumentation-openai', spans: true },
];

function installed(name) {
  try {
    fixture.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The contenders this checkout can run, with the version of each peer; logs the ones left out. */
export function contenders(names = process.env.BENCH_CONTENDERS?.split(',')) {
  // The bundle too: without it the SDK still runs, but starts as it did before (src/telemetry/otel-sdk.ts).
  if (!existsSync(new URL('../dist/telemetry/otel-sdk.bundle.cjs', import.meta.url))) throw new Error('build first: npm run build (at the root)');
  const out = [];
  for (const contender of ALL) {
    if (names !== undefined && !names.includes(contender.name)) continue;
    if (contender.before && process.env.BENCH_BEFORE === undefined) continue;
    if (contender.before && !existsSync(resolve(process.env.BENCH_BEFORE, 'dist/register.js'))) throw new Error(`BENCH_BEFORE=${process.env.BENCH_BEFORE}: no dist/register.js there (from ${process.cwd()})`);
    if (contender.peer !== undefined) {
      if (!installed(contender.peer)) {
        console.log(`(${contender.label}: not installed in tools/sdk-fixtures/openai-v6, left out)`);
        continue;
      }
      const version = JSON.parse(readFileSync(findPackageJSON(contender.peer, FIXTURE), 'utf8')).version;
      out.push({ ...contender, label: `${contender.label} ${version}` });
    } else out.push(contender);
  }
  return out;
}

/** The package directory a tokenmeter contender runs: this one, or the `BENCH_BEFORE` copy. */
export function packageDir(contender) {
  return contender.before ? resolve(process.env.BENCH_BEFORE) : fileURLToPath(new URL('..', import.meta.url));
}

/** How the parent starts one contender's process: the register flag for tokenmeter, and each one's environment. */
export function processOptions(contender, sink) {
  return {
    execArgv: contender.tokenmeter ? ['--require', resolve(packageDir(contender), 'register.cjs')] : [],
    env: {
      ...process.env,
      // As a service runs it: a Prometheus endpoint that nobody scrapes during the run, no control plane.
      TOKENMETER_PROMETHEUS_HOST: '127.0.0.1',
      TOKENMETER_PROMETHEUS_PORT: '0',
      OTEL_SERVICE_NAME: `bench-${contender.name}`,
      ...(contender.spans ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint(contender.name), OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_EXPORTER: 'otlp' } : { OTEL_TRACES_EXPORTER: 'none' }),
      ...contender.env,
    },
  };
}

/**
 * In the contender's process: the peer's OpenTelemetry SDK (a tracer provider
 * exporting over OTLP/HTTP protobuf in batches, the async-hooks context
 * manager, a meter provider with a Prometheus exporter) and its
 * instrumentation, registered the documented way (`registerInstrumentations`
 * hands it the meter provider; constructed alone, instrumentation-openai
 * 0.22's metric instruments stay undefined and every call throws inside it).
 */
export function installPeer(contender) {
  const api = fixture('@opentelemetry/api');
  const { TracerProvider, BatchSpanProcessor } = fixture('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } = fixture('@opentelemetry/exporter-trace-otlp-proto');
  const { MeterProvider } = fixture('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = fixture('@opentelemetry/exporter-prometheus');
  const { AsyncLocalStorageContextManager } = fixture('@opentelemetry/context-async-hooks');
  const { registerInstrumentations } = fixture('@opentelemetry/instrumentation');
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new PrometheusExporter({ host: '127.0.0.1', port: 0 })] }));
  const { OpenAIInstrumentation } = fixture(contender.peer);
  registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
}

/** The global tracer provider's flush (spans still queued count in the run's CPU). */
export async function flushSpans() {
  const provider = fixture('@opentelemetry/api').trace.getTracerProvider();
  await (provider.getDelegate?.() ?? provider).forceFlush?.();
}

export function openaiClass() {
  return fixture('openai').OpenAI;
}
