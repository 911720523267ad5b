// Benchmark of the collector-processor (npm run bench -w collector-processor, after the build):
// data points/s and spans/s that one core ingests over OTLP/HTTP protobuf, with memory, and the
// behaviour under overload; against the OpenTelemetry Collector's published load-test figure
// and against protobufjs decoding (the baseline for the hand-written reader). ~1–2 minutes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { Counter, Registry } from 'prom-client';
import { SeriesStore } from '../dist/state/series-store.js';
import { renderExposition } from '../dist/export/prometheus-text.js';
import { SelfMetrics } from '../dist/export/self-metrics.js';
import { decodeMetricsProto, decodeTracesProto } from '../dist/index.js';
import { cores, fmt, median, mib, pin, runNode, sampler, startProcessor } from './harness.js';
import { memoryBench } from './memory.js';
import { OTLP_PROTO } from './otlp-schema.js';
import { metricsBatch, spansBatch } from './payloads.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 8;
const OTEL_BASELINE_DP_PER_CORE = 10_000 / 0.19; // published: 10k dp/s at ~19 % of a core
/** Sections to run (comma-separated `BENCH_ONLY`): decode, render, ingest, overload, memory. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'decode,render,ingest,overload,memory').split(','));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- decoder micro-benchmark --------------------------------------------------
function opsPerSecond(fn, millis = 1500) {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(millis) * 1_000_000n;
  let now = start;
  while (now < end) {
    fn();
    n++;
    if ((n & 7) === 0) now = process.hrtime.bigint();
  }
  now = process.hrtime.bigint();
  return (n * 1e9) / Number(now - start);
}

// --- processor under load ---------------------------------------------------------
function runLoad(url, bodyFile, seconds, concurrency) {
  return runNode('load.js', { url, bodyFile, seconds, concurrency });
}

async function phase(proc, path, bodyFile, itemsPerRequest, seconds, concurrency, sampleRss = false) {
  const before = await proc.vars();
  let maxRss = before.rss_bytes;
  let sampling = sampleRss;
  const sampler = (async () => {
    while (sampling) {
      await sleep(250);
      try {
        maxRss = Math.max(maxRss, (await proc.vars()).rss_bytes);
      } catch {
        /* busy: next sample */
      }
    }
  })();
  const load = await runLoad(`${proc.otlp}${path}`, bodyFile, seconds, concurrency);
  sampling = false;
  await sampler;
  const after = await proc.vars();
  const cpuSeconds = (after.cpu_user_micros + after.cpu_system_micros - before.cpu_user_micros - before.cpu_system_micros) / 1e6;
  const ok = load.byStatus['200'] ?? 0;
  const items = ok * itemsPerRequest;
  return {
    perSecond: items / (load.elapsedMs / 1000),
    perCpuSecond: items / cpuSeconds,
    cpuShare: cpuSeconds / (load.elapsedMs / 1000),
    rss: Math.max(maxRss, after.rss_bytes),
    byStatus: load.byStatus,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-cp-bench-'));
  try {
    console.log(`collector-processor benchmark: Node ${process.version}, ${cores} cores, processor ${pin ? 'pinned to core 1 (taskset), load generator on core 0' : 'NOT pinned (taskset unavailable or 1 core)'}`);
    const metrics = await metricsBatch(1000);
    const spans = await spansBatch(500);
    const metricsFile = join(dir, 'metrics.pb');
    const spansFile = join(dir, 'spans.pb');
    writeFileSync(metricsFile, metrics.body);
    writeFileSync(spansFile, spans.body);
    console.log(`payloads: metrics ${metrics.items} data points in ${fmt(metrics.body.length)} bytes; traces ${spans.items} spans in ${fmt(spans.body.length)} bytes`);

    if (ONLY.has('decode')) decodeBench(metrics, spans);
    if (ONLY.has('render')) await renderBench();
    if (ONLY.has('ingest')) await ingestBench(metrics, spans, metricsFile, spansFile);
    if (ONLY.has('overload')) await overload(dir);
    if (ONLY.has('memory')) await memoryBench();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Decoders, in this process: ours against protobufjs (the named baseline). */
function decodeBench(metrics, spans) {
  const root = protobuf.parse(OTLP_PROTO, { keepCase: true }).root;
  const MetricsReq = root.lookupType('opentelemetry.proto.ExportMetricsServiceRequest');
  const TraceReq = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');
  // Alternating 300 ms slices, medians: the machine is shared, so neither side gets the quiet moments alone.
  const slices = { om: [], pm: [], os: [], ps: [] };
  for (let i = 0; i < 5; i++) {
    slices.om.push(opsPerSecond(() => decodeMetricsProto(metrics.body), 300) * metrics.items);
    slices.pm.push(opsPerSecond(() => MetricsReq.decode(metrics.body), 300) * metrics.items);
    slices.os.push(opsPerSecond(() => decodeTracesProto(spans.body), 300) * spans.items);
    slices.ps.push(opsPerSecond(() => TraceReq.decode(spans.body), 300) * spans.items);
  }
  const ours = { metrics: median(slices.om), spans: median(slices.os) };
  const pbjs = { metrics: median(slices.pm), spans: median(slices.ps) };
  console.log('\ndecode only (one core, this process; ours builds the pipeline model: attribute maps, hex ids;');
  console.log('protobufjs builds raw message objects that would still need that conversion)   items/s   vs protobufjs');
  console.log(`  metrics: hand-written reader          ${fmt(ours.metrics).padStart(14)}     ${(ours.metrics / pbjs.metrics).toFixed(2)}x`);
  console.log(`  metrics: protobufjs Type.decode        ${fmt(pbjs.metrics).padStart(14)}     1.00x (baseline)`);
  console.log(`  spans:   hand-written reader          ${fmt(ours.spans).padStart(14)}     ${(ours.spans / pbjs.spans).toFixed(2)}x`);
  console.log(`  spans:   protobufjs Type.decode        ${fmt(pbjs.spans).padStart(14)}     1.00x (baseline)`);
}

/** Exposition: our renderer vs prom-client, 10,000 counter series with 9 labels. */
async function renderBench() {
  const LABELS = ['job', 'gen_ai_provider_name', 'gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_response_model', 'tokenmeter_org', 'tokenmeter_feature', 'user_id', 'gen_ai_token_type'];
  const store = new SeriesStore(1_000_000);
  const family = store.numbers('tokenmeter_tokens_total', 'counter', 'Tokens.');
  const registry = new Registry();
  const counter = new Counter({ name: 'tokenmeter_tokens_total', help: 'Tokens.', labelNames: LABELS, registers: [registry] });
  for (let i = 0; i < 10_000; i++) {
    const values = ['bench-app', 'openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini', 'acme', `f${i % 7}`, `user-${i}`, i % 2 ? 'input' : 'output'];
    family.get(LABELS.map((l, j) => [l, values[j]])).acc += i;
    counter.inc(Object.fromEntries(LABELS.map((l, j) => [l, values[j]])), i);
  }
  const sources = { store, self: new SelfMetrics(), prices: { lastRefreshMs: 0 }, forwarder: undefined, directory: undefined };
  const oursRender = opsPerSecond(() => renderExposition(sources), 1000);
  let promRender;
  {
    const start = process.hrtime.bigint();
    let n = 0;
    while (Number(process.hrtime.bigint() - start) < 1e9) {
      await registry.metrics();
      n++;
    }
    promRender = (n * 1e9) / Number(process.hrtime.bigint() - start);
  }
  console.log('\n/metrics rendering, 10,000 series × 9 labels            ms per scrape');
  console.log(`  own renderer (pre-rendered label blocks)  ${(1000 / oursRender).toFixed(1).padStart(10)}   ${(oursRender / promRender).toFixed(1)}x`);
  console.log(`  prom-client Registry.metrics()            ${(1000 / promRender).toFixed(1).padStart(10)}   1.0x (baseline)`);
}

/** End to end over HTTP: items per core-second of the collector process. */
async function ingestBench(metrics, spans, metricsFile, spansFile) {
  const proc = await startProcessor({ TOKENMETER_COLLECTOR_QUEUE_REQUESTS: '16' });
  const dp = [];
  const sp = [];
  try {
    await phase(proc, '/v1/metrics', metricsFile, metrics.items, 1, CONCURRENCY); // warm-up
    await phase(proc, '/v1/traces', spansFile, spans.items, 1, CONCURRENCY);
    for (let r = 0; r < ROUNDS; r++) {
      dp.push(await phase(proc, '/v1/metrics', metricsFile, metrics.items, PHASE_SECONDS, CONCURRENCY));
      sp.push(await phase(proc, '/v1/traces', spansFile, spans.items, PHASE_SECONDS, CONCURRENCY));
    }
    const scrapeStart = process.hrtime.bigint();
    const text = await proc.scrape();
    const scrapeMs = Number(process.hrtime.bigint() - scrapeStart) / 1e6;
    const seriesLines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

    console.log(`\nOTLP/HTTP protobuf ingest, ${CONCURRENCY} requests in flight, ${ROUNDS} rounds × ${PHASE_SECONDS} s, medians`);
    const dpCore = median(dp.map((x) => x.perCpuSecond));
    const spCore = median(sp.map((x) => x.perCpuSecond));
    console.log(`  data points/s (wall)          ${fmt(median(dp.map((x) => x.perSecond))).padStart(12)}   at ${(median(dp.map((x) => x.cpuShare)) * 100).toFixed(0)} % of a core`);
    console.log(`  data points per core-second   ${fmt(dpCore).padStart(12)}   = ${(dpCore / OTEL_BASELINE_DP_PER_CORE).toFixed(2)}x the OTel Collector published figure (10k dp/s at 19 % of a core ≈ ${fmt(OTEL_BASELINE_DP_PER_CORE)} dp/s per core); goal 100,000`);
    console.log(`  spans/s (wall)                ${fmt(median(sp.map((x) => x.perSecond))).padStart(12)}   at ${(median(sp.map((x) => x.cpuShare)) * 100).toFixed(0)} % of a core`);
    console.log(`  spans per core-second         ${fmt(spCore).padStart(12)}   (priced, counted; goal 30,000)`);
    console.log(`  RSS after load                ${fmt(median([...dp, ...sp].map((x) => x.rss)) / 1048576).padStart(12)} MiB`);
    console.log(`  /metrics scrape               ${scrapeMs.toFixed(1).padStart(12)} ms for ${fmt(seriesLines)} sample lines`);
  } finally {
    await proc.stop();
  }
}

/** Latencies of `GET url` every 100 ms until `stop()`: p99 and max in ms (a timeout of 30 s counts as 30 s). */
function prober(url) {
  let running = true;
  const times = [];
  const done = (async () => {
    while (running) {
      const t = performance.now();
      try {
        await (await fetch(url, { signal: AbortSignal.timeout(30_000) })).arrayBuffer();
      } catch {
        /* a timeout counts as its full time */
      }
      times.push(performance.now() - t);
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      times.sort((a, b) => a - b);
      return { p99: times[Math.min(times.length - 1, Math.floor(0.99 * times.length))] ?? 0, max: times[times.length - 1] ?? 0 };
    },
  };
}

/**
 * Overload: 64 clients sending 3.9 MB metrics batches (9,000 data points) as fast as they are answered, against the
 * default admission (64 requests and 16 MiB of work waiting) and against the previous rule (64 requests in flight,
 * bytes unbounded: the baseline). Client response times include the client's own queueing; /healthz is probed from
 * this process on its own connection every 100 ms.
 */
async function overload(dir) {
  const big = await metricsBatch(9000, 1500);
  const bodyFile = join(dir, 'metrics-big.pb');
  writeFileSync(bodyFile, big.body);
  const seconds = Math.max(PHASE_SECONDS, 10);
  console.log(`\noverload: 64 clients, ${fmt(big.body.length)}-byte batches of ${fmt(big.items)} data points, ${seconds} s; /healthz probed every 100 ms`);
  console.log(`  ${'admission'.padEnd(52)} ${'responses p50 / p99 ms'.padStart(24)} ${'/healthz p99 / max ms'.padStart(22)} ${'429'.padStart(6)} ${'peak RSS'.padStart(9)}   accepted`);
  for (const [label, env] of [
    ['requests in flight only (previous rule, baseline)', { TOKENMETER_COLLECTOR_QUEUE_BYTES: String(4 * 1024 * 1024 * 1024) }],
    ['requests and 16 MiB of work waiting (default)', {}],
  ]) {
    const proc = await startProcessor(env);
    try {
      const rss = sampler(proc.vars);
      const health = prober(`${proc.metrics}/healthz`);
      const load = await runLoad(`${proc.otlp}/v1/metrics`, bodyFile, seconds, 64);
      const h = await health.stop();
      const peak = await rss.stop();
      const total = Object.values(load.byStatus).reduce((a, b) => a + b, 0);
      const ok = ((load.byStatus['200'] ?? 0) * big.items) / (load.elapsedMs / 1000);
      const l = load.latencyMs;
      console.log(
        `  ${label.padEnd(52)} ${[l.p50, l.p99].map((x) => fmt(x)).join(' / ').padStart(24)} ${[h.p99, h.max].map((x) => fmt(x)).join(' / ').padStart(22)} ${`${(((load.byStatus['429'] ?? 0) / total) * 100).toFixed(0)} %`.padStart(6)} ${`${mib(peak.rss)} MiB`.padStart(9)}   ${fmt(ok)} dp/s`,
      );
    } finally {
      await proc.stop();
    }
  }
}

await main();
