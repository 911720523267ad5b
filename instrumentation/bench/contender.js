/**
 * One benchmark contender, run as a child of `run.js` (patches are global, so
 * each contender owns a process): sets up its instrumentation, then loads
 * openai 6 (the major every peer supports) and times non-streaming chat calls
 * on an in-process transport when the parent asks for a round.
 *
 *   contender: bare | tokenmeter | tokenmeter-nofp | tokenmeter-spans | contrib | traceloop
 *   (`tokenmeter*` are started with `--require …/register.cjs` by the parent)
 */
import { createRequire } from 'node:module';
import { inProcessFetch } from './transport.js';

const name = process.argv[2];
const fixture = createRequire(new URL('../../tools/sdk-fixtures/openai-v6/package.json', import.meta.url));

/** Counts what reached the exporter, so each peer is shown to be measuring. */
const exported = { spans: 0 };
const noopSpanExporter = {
  export(spans, done) {
    exported.spans += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};

/** A real tracer and meter provider from the OTel JS 3.x SDK, exporting nowhere, as a production set-up would have. */
function installOtelSdk() {
  const api = fixture('@opentelemetry/api');
  const { TracerProvider, BatchSpanProcessor } = fixture('@opentelemetry/sdk-trace');
  const { MeterProvider } = fixture('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = fixture('@opentelemetry/exporter-prometheus');
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noopSpanExporter })] });
  const meterProvider = new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] });
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);
  return { tracerProvider, meterProvider };
}

let sdk;
let sinkCalls = 0;
if (name === 'contrib') {
  sdk = installOtelSdk();
  const { OpenAIInstrumentation } = fixture('@opentelemetry/instrumentation-openai');
  new OpenAIInstrumentation();
} else if (name === 'traceloop') {
  sdk = installOtelSdk();
  const { OpenAIInstrumentation } = fixture('@traceloop/instrumentation-openai');
  new OpenAIInstrumentation();
} else if (name === 'tokenmeter-spans') {
  sdk = installOtelSdk();
}
if (name.startsWith('tokenmeter')) {
  if (process.env.TOKENMETER_BENCH_REGISTERED !== '1') {
    // No register build yet: the patches alone (no metrics sink).
    const { enableInstrumentations } = await import('../dist/instrumentations/index.js');
    enableInstrumentations({ openaiIncludeStreamUsage: true });
  }
  const { addSink } = await import('../dist/core/hooks.js');
  addSink(() => sinkCalls++);
}

const { OpenAI } = fixture('openai');
const client = new OpenAI({ apiKey: 'bench', fetch: await inProcessFetch(), maxRetries: 0 });
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };

async function calls(count) {
  for (let i = 0; i < count; i++) await client.chat.completions.create(body);
}

/** Wall time and CPU time (all threads, so GC counts) per call; CPU time barely moves when other processes load the machine. */
async function round(count) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await calls(count);
  const wallNanos = Number(process.hrtime.bigint() - start) / count;
  const used = process.cpuUsage(cpu);
  return { wallNanos, cpuNanos: ((used.user + used.system) * 1000) / count };
}

await calls(1500); // warm-up: JIT, connection of the lazy parts
await sdk?.tracerProvider.forceFlush();
const measuring = name === 'bare' ? true : name.startsWith('tokenmeter') ? sinkCalls > 0 : exported.spans > 0;
process.send({ type: 'ready', measuring, spans: exported.spans, records: sinkCalls });

process.on('message', (message) => {
  if (message.type === 'round') {
    void round(message.calls).then((times) => process.send({ type: 'round', ...times })); // replies asynchronously
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});
