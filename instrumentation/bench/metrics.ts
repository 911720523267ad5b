/**
 * Benchmark of the metrics hot path: everything the metrics sink does for one
 * finished call, against the named baseline "naive" — the same figures
 * recorded the usual way, one `counter.add` / `histogram.record` per value
 * (5 token counters, cost, requests, 2 token histograms, duration) with an
 * attribute object of 9 attributes built per call, on a real sdk-metrics
 * MeterProvider. Cases, measured interleaved in the same run:
 * - "accumulator (MetricProducer path)": what the default set-up does per call;
 *   counters and histograms are built from the accumulator at collection time.
 * - "new attribution object every call": the cache-miss path (one LLM call per request scope).
 * - "accumulator + sync histograms, cached attributes": the path used when the
 *   app has its own MeterProvider (ApiBridge), histograms recorded per call.
 * Run after `npx tsc -b instrumentation`:   node instrumentation/bench/metrics.ts
 * The package bench runner imports `runMetricsBench()`.
 */
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { FinishedCall } from '../dist/core/hooks.js';
import { DURATION_BUCKETS_SECONDS, TOKEN_TYPES, TOKEN_USAGE_BUCKETS } from '../dist/semconv.js';
import { Accumulator } from '../dist/telemetry/accumulator.js';
import { ApiBridge } from '../dist/telemetry/api-bridge.js';
import { AccumulatorProducer } from '../dist/telemetry/producer.js';

export interface MetricsBenchResult {
  name: string;
  /** Median nanoseconds per call. */
  medianNanos: number;
  /** Median of this case divided by the baseline's ("naive"). */
  ratio: number;
}

export interface MetricsBenchOptions {
  /** Calls per timed batch (default 20,000). */
  batch?: number;
  /** Timed batches per case; the median is reported (default 15). */
  rounds?: number;
}

/** 64 distinct label sets (8 users × 4 features × 2 models), 1 call in 16 an error. */
function workload(): FinishedCall[] {
  const calls: FinishedCall[] = [];
  for (let i = 0; i < 256; i++) {
    const model = i % 2 === 0 ? 'gpt-4.1-mini' : 'gpt-5-mini';
    const error = i % 16 === 15;
    calls.push({
      id: i.toString(16).padStart(16, '0'),
      provider: 'openai',
      operation: 'chat',
      requestModel: model,
      responseModel: model,
      streaming: false,
      attribution: { org: 'acme', department: 'search', feature: `feature-${i % 4}`, user: `user-${(i >> 2) % 8}` },
      startTimeMs: 1_700_000_000_000 + i,
      durationMs: 120 + (i % 50) * 7,
      tokens: error
        ? { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 }
        : { input: 400 + i, output: 80 + (i % 30), cache_read: i % 3 === 0 ? 1024 : 0, cache_write: 0, reasoning: i % 5 === 0 ? 64 : 0 },
      outcome: error ? 'error' : 'ok',
      ...(error ? { errorType: 'RateLimitError' } : {}),
      cost: error ? { priced: true, costPicoUsd: 0n, costUsd: 0 } : { priced: true, costPicoUsd: 1_234_000n + BigInt(i), costUsd: 1.234e-6 + i * 1e-12 },
    });
  }
  return calls;
}

function meterProvider(): MeterProvider {
  // A real reader (never scraped), so instruments aggregate as in a service.
  return new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] });
}

/** The naive sink: nine instrument calls per call, attributes built per call. */
function naiveSink(): (call: FinishedCall) => void {
  const meter = meterProvider().getMeter('naive');
  const tokens: Counter = meter.createCounter('tokenmeter.tokens', { unit: '{token}' });
  const cost: Counter = meter.createCounter('tokenmeter.cost', { unit: '{USD}' });
  const requests: Counter = meter.createCounter('tokenmeter.requests', { unit: '{request}' });
  const unpriced: Counter = meter.createCounter('tokenmeter.unpriced', { unit: '{request}' });
  const usage: Histogram = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] } });
  const duration: Histogram = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] } });
  return (call) => {
    const a = call.attribution;
    const base: Attributes = {
      'gen_ai.provider.name': call.provider,
      'gen_ai.operation.name': call.operation,
      'gen_ai.request.model': call.requestModel,
      'gen_ai.response.model': call.responseModel,
      'tokenmeter.org': a.org,
      'tokenmeter.department': a.department,
      'tokenmeter.feature': a.feature,
      'user.id': a.user,
    };
    const t = call.tokens;
    const values = [t.input, t.output, t.cache_read, t.cache_write, t.reasoning];
    TOKEN_TYPES.forEach((type, i) => tokens.add(values[i] as number, { ...base, 'gen_ai.token.type': type }));
    if (call.cost.priced) cost.add(call.cost.costUsd, { ...base, 'tokenmeter.outcome': call.outcome });
    else unpriced.add(1, { ...base, 'tokenmeter.outcome': call.outcome });
    requests.add(1, call.errorType === undefined ? { ...base, 'tokenmeter.outcome': call.outcome } : { ...base, 'tokenmeter.outcome': call.outcome, 'error.type': call.errorType });
    usage.record(t.input + t.cache_read + t.cache_write, { ...base, 'gen_ai.token.type': 'input' });
    usage.record(t.output + t.reasoning, { ...base, 'gen_ai.token.type': 'output' });
    duration.record(call.durationMs / 1000, call.errorType === undefined ? { ...base, 'tokenmeter.outcome': call.outcome } : { ...base, 'error.type': call.errorType });
  };
}

let _sink = 0;

function measureInterleaved(cases: ((call: FinishedCall) => void)[], calls: FinishedCall[], batch: number, rounds: number): number[] {
  const n = calls.length;
  // Warm-up: every label set seen, code optimised.
  for (const fn of cases) for (let i = 0; i < batch; i++) fn(calls[i % n] as FinishedCall);
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((fn, c) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) fn(calls[i % n] as FinishedCall);
      samples[c]?.push(Number(process.hrtime.bigint() - start) / batch);
    });
  }
  return samples.map((perCall) => {
    perCall.sort((a, b) => a - b);
    return perCall[Math.floor(perCall.length / 2)] ?? Number.NaN;
  });
}

/** Runs the cases (a few seconds on one core) and returns medians with their ratio to "naive". */
export async function runMetricsBench(options: MetricsBenchOptions = {}): Promise<MetricsBenchResult[]> {
  const batch = options.batch ?? 5000;
  const rounds = options.rounds ?? 15;
  const calls = workload();

  const accumulator = new Accumulator({ userCardinalityLimit: 10_000 });
  const bridged = new Accumulator({ userCardinalityLimit: 10_000 });
  const bridge = new ApiBridge(bridged, meterProvider().getMeter('bridge'), { stable: true, latestExperimental: false });
  const fresh = new Accumulator({ userCardinalityLimit: 10_000 });
  const [naive = Number.NaN, producerPath = Number.NaN, bridgePath = Number.NaN, freshPath = Number.NaN] = measureInterleaved(
    [
      naiveSink(),
      (call) => {
        _sink += accumulator.record(call).requests;
      },
      (call) => bridge.record(call, bridged.record(call)),
      // One call per request scope: the attribution object is new each time (the copies are timed too).
      (call) => {
        _sink += fresh.record({ ...call, attribution: { ...call.attribution } }).requests;
      },
    ],
    calls,
    batch,
    rounds,
  );

  // Collection time, paid per scrape instead of per call: 64 label sets.
  const producer = new AccumulatorProducer(accumulator, { version: 'bench', stable: true, latestExperimental: false });
  const collectRounds: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) _sink += (await producer.collect()).resourceMetrics.scopeMetrics.length;
    collectRounds.push(Number(process.hrtime.bigint() - start) / 100);
  }
  collectRounds.sort((a, b) => a - b);
  const collect = collectRounds[Math.floor(collectRounds.length / 2)] ?? Number.NaN;

  const rows: [string, number][] = [
    ['baseline "naive": 9 instrument calls × 9 attributes per call', naive],
    ['accumulator (MetricProducer path, the default)', producerPath],
    ['accumulator + sync histograms, cached attributes (app MeterProvider)', bridgePath],
    ['accumulator, new attribution object every call (incl. copying the call)', freshPath],
    [`producer.collect() of ${accumulator.series.size} label sets (per scrape, not per call)`, collect],
  ];
  return rows.map(([name, medianNanos]) => ({ name, medianNanos, ratio: medianNanos / naive }));
}

function print(results: MetricsBenchResult[]): void {
  console.log('metrics hot path: everything the sink does for one FinishedCall (median of batched rounds)');
  for (const r of results) console.log(`  ${r.name.padEnd(80)} ${r.medianNanos.toFixed(1).padStart(10)} ns   ×${r.ratio.toFixed(3)} naive`);
  if (_sink === -1) console.log('');
}

if (import.meta.url === `file://${process.argv[1]}`) print(await runMetricsBench());
