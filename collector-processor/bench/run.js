// Benchmark of the collector-processor (npm run bench -w collector-processor, after the build):
// data points/s and spans/s that one core ingests over OTLP/HTTP protobuf, with memory, and the
// behaviour under overload; against the OpenTelemetry Collector's published load-test figure
// and against protobufjs decoding (the baseline for the hand-written reader). ~1–2 minutes.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { Counter, Registry } from 'prom-client';
import { SeriesStore } from '../dist/state/series-store.js';
import { renderExposition } from '../dist/export/prometheus-text.js';
import { SelfMetrics } from '../dist/export/self-metrics.js';
import { decodeMetricsProto, decodeTracesProto } from '../dist/index.js';
import { OTLP_PROTO } from './otlp-schema.js';
import { metricsBatch, spansBatch } from './payloads.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 8;
const OTEL_BASELINE_DP_PER_CORE = 10_000 / 0.19; // published: 10k dp/s at ~19 % of a core

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}
const cores = Number(execFileSync('nproc').toString().trim());
const pin = hasTaskset() && cores >= 2;
const pinned = (core, cmd, args) => (pin ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

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
async function startProcessor(env) {
  const otlpPort = await freePort();
  const metricsPort = await freePort();
  const [cmd, args] = pinned(1, process.execPath, [join(here, '..', 'dist', 'main.js')]);
  const child = spawn(cmd, args, {
    env: { ...process.env, TOKENMETER_COLLECTOR_HOST: '127.0.0.1', TOKENMETER_OTLP_PORT: String(otlpPort), TOKENMETER_METRICS_PORT: String(metricsPort), TOKENMETER_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${metricsPort}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      await sleep(50);
    }
  }
  return {
    otlp: `http://127.0.0.1:${otlpPort}`,
    vars: async () => (await fetch(`${base}/debug/vars`)).json(),
    scrape: async () => (await fetch(`${base}/metrics`)).text(),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function runLoad(url, bodyFile, seconds, concurrency) {
  return new Promise((resolve, reject) => {
    const [cmd, args] = pinned(0, process.execPath, [join(here, 'load.js'), JSON.stringify({ url, bodyFile, seconds, concurrency })]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
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

    // Decoders, in this process.
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

    // Exposition: our renderer vs prom-client, 10,000 counter series with 9 labels.
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
    let promRender = 0;
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

    // End to end over HTTP.
    const proc = await startProcessor({ TOKENMETER_QUEUE_LIMIT: '16' });
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

      // Overload: many more requests in flight than the queue admits.
      const over = await phase(proc, '/v1/metrics', metricsFile, metrics.items, PHASE_SECONDS, 256, true);
      const total = Object.values(over.byStatus).reduce((a, b) => a + b, 0);
      console.log(`\noverload: 256 requests in flight against TOKENMETER_QUEUE_LIMIT=16 for ${PHASE_SECONDS} s`);
      console.log(`  responses ${JSON.stringify(over.byStatus)} (${(((over.byStatus['429'] ?? 0) / total) * 100).toFixed(0)} % answered 429 + Retry-After)`);
      console.log(`  accepted data points/s ${fmt(over.perSecond)}; peak RSS ${fmt(over.rss / 1048576)} MiB (bounded: ≤ queue limit × max body in flight)`);
    } finally {
      await proc.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
