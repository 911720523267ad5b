/**
 * The call pipeline without any SDK or transport, in this process: the
 * metrics hot path (every counter and histogram record for one finished call,
 * the sink `startTokenmeter()` registers), and our whole per-call path
 * (`startCall` → gates → `end`: pricing, span, all sinks) against a baseline of
 * building the same `FinishedCall` by hand. Medians of batches.
 */
import { startTokenmeter } from '../dist/sdk.js';
import { startCall } from '../dist/core/call.js';

const BATCH = 20_000;
const ROUNDS = 9;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function time(fn) {
  const samples = [];
  for (let r = 0; r < ROUNDS + 2; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) fn(i);
    if (r >= 2) samples.push(Number(process.hrtime.bigint() - start) / BATCH);
  }
  return median(samples);
}

export function runPipelineBench() {
  const handle = startTokenmeter({ env: { TOKENMETER_PROMETHEUS_HOST: '127.0.0.1', TOKENMETER_PROMETHEUS_PORT: '0', OTEL_TRACES_EXPORTER: 'none' } });
  const tokens = { input: 900, output: 120, cache_read: 1024, cache_write: 0, reasoning: 64 };
  const call = {
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    streaming: false,
    attribution: { feature: 'search', department: 'research', user: 'u-1' },
    id: '0123456789abcdef',
    startTimeMs: Date.now(),
    durationMs: 12.5,
    tokens,
    outcome: 'ok',
    cost: { priced: true, costPicoUsd: 322_200_000n, costUsd: 0.0003222, priceId: 'openai/gpt-4o-mini' },
  };
  const lines = [];
  if (handle.accumulator !== undefined) {
    const record = time(() => handle.accumulator.record(call));
    lines.push(`metrics hot path (accumulator.record: all counters and histograms of one call): ${record.toFixed(0)} ns/call`);
  } else {
    lines.push('metrics hot path: no accumulator (metrics disabled)');
  }
  const input = { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', streaming: false };
  const result = { responseModel: 'gpt-4o-mini-2024-07-18', responseId: 'chatcmpl-1', tokens };
  const pipeline = time(() => startCall(input).end(result));
  const baseline = time((i) => ({ ...call, id: String(i), tokens: { ...tokens } }));
  lines.push(`call pipeline (startCall → end: span, gates, pricing, every sink): ${pipeline.toFixed(0)} ns/call`);
  lines.push(`baseline: building the FinishedCall object alone: ${baseline.toFixed(0)} ns/call (ratio ${(pipeline / baseline).toFixed(1)})`);
  void handle.shutdown(); // closes the unscraped endpoint; nothing waits on it
  return lines.join('\n');
}
