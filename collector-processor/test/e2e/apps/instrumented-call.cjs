'use strict';
// A small app instrumented by a third-party GenAI instrumentation (MODE), making one real client
// call against the mock provider (MOCK_URL, usage forced with x-mock-usage) and exporting with
// real OTLP exporters to the collector (OTLP_URL). Packages resolve from FIXTURE_DIR, so each
// instrumentation runs with the SDK version it patches.
const { createRequire } = require('node:module');
const path = require('node:path');

const { MODE, FIXTURE_DIR, ROOT_DIR, MOCK_URL, OTLP_URL, SERVICE, USAGE } = process.env;
const fixture = createRequire(path.join(FIXTURE_DIR, 'package.json'));
const root = createRequire(path.join(ROOT_DIR, 'collector-processor', 'package.json'));
const headers = { 'x-mock-usage': USAGE };

function otelSdk() {
  const api = root('@opentelemetry/api');
  const { TracerProvider, SimpleSpanProcessor } = root('@opentelemetry/sdk-trace');
  const { MeterProvider, PeriodicExportingMetricReader } = root('@opentelemetry/sdk-metrics');
  const { resourceFromAttributes } = root('@opentelemetry/resources');
  const { OTLPTraceExporter } = root('@opentelemetry/exporter-trace-otlp-proto');
  const { OTLPMetricExporter } = root('@opentelemetry/exporter-metrics-otlp-proto');
  const resource = resourceFromAttributes({ 'service.name': SERVICE, 'service.instance.id': `${SERVICE}-1`, 'tokenmeter.org': 'acme' });
  const tracerProvider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${OTLP_URL}/v1/traces` }) })] });
  const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${OTLP_URL}/v1/metrics` }), exportIntervalMillis: 60_000 });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);
  return {
    api,
    tracerProvider,
    meterProvider,
    async flush() {
      await tracerProvider.forceFlush();
      await meterProvider.forceFlush();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

async function openaiChat(OpenAI, model) {
  const client = new OpenAI({ baseURL: `${MOCK_URL}/v1`, apiKey: 'test-key', maxRetries: 0 });
  const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello' }] }, { headers });
  return res.usage;
}

async function anthropicMessage(Anthropic, model) {
  const client = new Anthropic({ baseURL: MOCK_URL, apiKey: 'test-key', maxRetries: 0 });
  const res = await client.messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] }, { headers });
  return res.usage;
}

async function main() {
  let usage;
  if (MODE === 'contrib-openai') {
    const sdk = otelSdk();
    const { OpenAIInstrumentation } = fixture('@opentelemetry/instrumentation-openai');
    const inst = new OpenAIInstrumentation();
    inst.setTracerProvider(sdk.tracerProvider);
    inst.setMeterProvider(sdk.meterProvider);
    inst.enable();
    usage = await openaiChat(fixture('openai'), 'gpt-4o-mini');
    await sdk.flush();
  } else if (MODE === 'traceloop-openai') {
    const sdk = otelSdk();
    const { OpenAIInstrumentation } = fixture('@traceloop/instrumentation-openai');
    const inst = new OpenAIInstrumentation({ traceContent: false });
    inst.setTracerProvider(sdk.tracerProvider);
    // Enabled at construction: it patches `openai` when the app requires it (require-in-the-middle).
    usage = await openaiChat(fixture('openai'), 'gpt-4o-mini');
    await sdk.flush();
  } else if (MODE === 'traceloop-anthropic') {
    const sdk = otelSdk();
    const { AnthropicInstrumentation } = fixture('@traceloop/instrumentation-anthropic');
    const inst = new AnthropicInstrumentation({ traceContent: false });
    inst.setTracerProvider(sdk.tracerProvider);
    const Anthropic = fixture('@anthropic-ai/sdk');
    usage = await anthropicMessage(Anthropic.default ?? Anthropic, 'claude-haiku-4-5');
    await sdk.flush();
  } else if (MODE === 'anthropic-native') {
    // The Anthropic SDK 1.x traces its own calls through the global tracer provider (on unless ANTHROPIC_OPEN_TELEMETRY=false).
    const sdk = otelSdk();
    const Anthropic = fixture('@anthropic-ai/sdk');
    usage = await anthropicMessage(Anthropic.default ?? Anthropic, 'claude-sonnet-4-5');
    await sdk.flush();
  } else if (MODE === 'openlit-openai') {
    // OpenLIT brings its own OpenTelemetry 2.x SDK and OTLP/HTTP JSON exporters.
    const openlit = fixture('openlit').default ?? fixture('openlit');
    openlit.init({ applicationName: SERVICE, environment: 'test', otlpEndpoint: OTLP_URL, disableBatch: true, disableMetrics: true, disableEvents: true, captureMessageContent: false });
    usage = await openaiChat(fixture('openai'), 'gpt-4o-mini');
    const api = fixture('@opentelemetry/api');
    const provider = api.trace.getTracerProvider();
    const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
    if (typeof delegate.forceFlush === 'function') await delegate.forceFlush();
    if (typeof delegate.shutdown === 'function') await delegate.shutdown();
  } else throw new Error(`unknown MODE ${MODE}`);
  process.stdout.write(`${JSON.stringify({ mode: MODE, usage })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
