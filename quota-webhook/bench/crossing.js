/**
 * Crossing → refusal: how long a subject keeps spending after its usage
 * crosses a hard quota, through the whole real path (test/e2e/stack.js):
 * SDK usage report (every 1 s, the SDK's default) → ledger → Prometheus
 * scrape and rule evaluation (every 1 s) → Alertmanager (shipped routes:
 * group_wait 1 s) → webhook → block → SSE (250 ms coalescing, the default)
 * → the SDK refuses. Each crossing is a new user under one hard monthly cost
 * quota with subject "*", spending at a fixed call rate from zero until the
 * SDK refuses; the latency is from the end of the call that crossed the limit
 * to the start of the first refused call (so it overstates by up to one call
 * period), and the overshoot is what the user spent past the limit.
 * Baseline in the same run: a block placed through the API → the SDK refusing
 * (the feed alone, no Prometheus/Alertmanager). Two modes in the same run:
 * blocks at ingest (the default: the batch that crosses blocks at once) and
 * alert-only (`TOKENMETER_BLOCK_AT_INGEST=false`, the path before it), each
 * on its own fresh stacks; the goal is an overshoot under one report
 * interval's spend at p95.
 *
 *   npx tsc -b && node quota-webhook/bench/crossing.js
 *
 * `runCrossingBench()` is what bench/run.js calls.
 */
import { pathToFileURL } from 'node:url';
import { formatUsd, parseUsd, PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import { waitFor } from '@tokenmeter/testkit';
import { startStack } from '../test/e2e/stack.js';

const MODEL = 'gpt-4.1';
const QUOTA_ID = 'bench-crossing';

/** Nearest-rank percentile of sorted numbers. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values) {
  if (values.length === 0) return { p50: undefined, p95: undefined, min: undefined, max: undefined, samples: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0], max: sorted[sorted.length - 1], samples: sorted.length };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One crossing: `user` spends from zero at `ratePerSecond` until refused.
 * Returns latency, overshoot and, where the webhook was seen, the split at it.
 */
async function cross(stack, user, { ratePerSecond, usage, costPico, limitPico }) {
  const crossingIndex = Number((limitPico + costPico - 1n) / costPico) - 1; // first call with total >= limit
  // Bounded: 30 s of calls past the crossing without a refusal is a failure, not a figure.
  const maxCalls = crossingIndex + 1 + 30 * ratePerSecond;
  const { calls } = await stack.service.run({ attribution: { org: 'bench', user }, model: MODEL, usage, ratePerSecond, maxCalls });
  const refusal = calls.at(-1);
  if (refusal === undefined || refusal.ok) throw new Error(`${user}: not refused within ${calls.length} calls`);
  if (refusal.error?.name !== 'QuotaExceededError' || refusal.error.quotaId !== QUOTA_ID) throw new Error(`${user}: refused by ${JSON.stringify(refusal.error)}`);
  const made = calls.length - 1;
  if (made <= crossingIndex) throw new Error(`${user}: refused after ${made} calls, before crossing the limit`);
  const crossedMs = calls[crossingIndex].endMs;
  const webhook = stack.webhooks.find((w) => w.body.alerts.some((a) => a.status === 'firing' && a.labels.subject === user && a.labels.tokenmeter_action === 'block'));
  // With blocks at ingest the refusal may come before any webhook: split only when the webhook came first.
  const beforeRefusal = webhook !== undefined && webhook.receivedMs <= refusal.startMs ? webhook : undefined;
  return {
    user,
    latencyMs: refusal.startMs - crossedMs,
    toWebhookMs: beforeRefusal === undefined ? undefined : beforeRefusal.receivedMs - crossedMs,
    webhookToRefusalMs: beforeRefusal === undefined ? undefined : refusal.startMs - beforeRefusal.receivedMs,
    callsMade: made,
    overshootPico: BigInt(made) * costPico - limitPico,
  };
}

/** Baseline: a block placed through the API until the SDK refuses (polled every 5 ms). */
async function feedLatency(stack, subject) {
  const started = Date.now();
  const block = await stack.api('POST', '/api/v1/blocks', { scope: 'feature', subject, reason: 'bench baseline' });
  await waitFor(async () => !(await stack.service.check({ org: 'bench', feature: subject })).allowed, { timeoutMillis: 10_000, intervalMillis: 5, what: 'the SDK to refuse' });
  const latency = Date.now() - started;
  await stack.api('DELETE', `/api/v1/blocks/${block.id}`);
  return latency;
}

/**
 * One stack: `crossings` crossings, `concurrency` subjects at a time, and as
 * many baseline blocks. Returns the per-crossing results and the baseline.
 */
async function onStack(index, { crossings, concurrency, ratePerSecond, usage, costPico, limitPico, limitUsd, blockAtIngest }) {
  // As shipped, except Prometheus's 1 s scrape and evaluation intervals (stack.js).
  const stack = await startStack({ groupIntervalSeconds: null, controlPlaneEnv: { TOKENMETER_BLOCK_AT_INGEST: String(blockAtIngest) } });
  try {
    await stack.api('POST', '/api/v1/quotas', { id: QUOTA_ID, scope: 'user', subject: '*', metric: 'cost', period: 'month', limit: Number(limitUsd), enforcement: 'hard' });

    // The baseline needs neither Prometheus nor Alertmanager: measured while Prometheus discovers its Alertmanager.
    const baseline = [];
    for (let i = 0; i < crossings; i++) {
      // Past the SSE coalescing window of the previous unblock, at a random phase.
      await sleep(300 + Math.random() * 200);
      baseline.push(await feedLatency(stack, `baseline-${i}`));
    }
    // Alerts fired before Prometheus has discovered its Alertmanager wait for the next resend: not part of the path.
    await waitFor(async () => {
      const body = await (await fetch(`${stack.prometheus.url}/api/v1/alertmanagers`)).json();
      return body.data.activeAlertmanagers.length > 0;
    }, { timeoutMillis: 30_000, what: 'Prometheus to discover Alertmanager' });

    const results = [];
    let next = 0;
    const worker = async (offsetMs) => {
      await sleep(offsetMs);
      while (next < crossings) {
        const user = `bench-${index}-user-${next++}`;
        // A refusal is phase-locked to Prometheus's 1 s cycles; a random start spreads the crossings over them.
        await sleep(Math.random() * 1000);
        results.push(await cross(stack, user, { ratePerSecond, usage, costPico, limitPico }));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker((i * 1000) / concurrency)));

    // The ledger agrees with what the bench counted.
    await stack.service.flush();
    const status = await stack.api('GET', `/api/v1/quotas/${QUOTA_ID}/status`, undefined, 'read');
    for (const r of results) {
      const window = status.windows.find((w) => w.subject === r.user);
      const spent = BigInt(r.callsMade) * costPico;
      if (window?.usage_usd !== formatUsd(spent)) throw new Error(`${r.user}: ledger ${window?.usage_usd} USD, bench ${formatUsd(spent)} USD`);
    }
    return { results, baseline };
  } finally {
    await stack.stop();
  }
}

/**
 * Runs the bench and returns the figures (also printed unless `print:
 * false`). Options: `crossings` (20), `stacks` (4: the crossings are split
 * over fresh stacks, because the phases of the SDK's report timer, the scrape
 * and the rule evaluation are fixed for the life of a stack and shift a
 * stack's latencies as a whole), `ratePerSecond` per subject (10),
 * `concurrency` (subjects crossing at once on a stack, 2), `print`.
 */
export async function runCrossingBench(options = {}) {
  const modes = options.modes ?? [true, false];
  const out = [];
  for (const blockAtIngest of modes) out.push(await runMode({ ...options, blockAtIngest }));
  if (out.length === 2 && (options.print ?? true)) {
    const [on, off] = out;
    process.stdout.write(`  blocks at ingest vs alert-only: overshoot p95 ${on.overshootUsd.p95} vs ${off.overshootUsd.p95} USD; latency p95 ${on.latencyMs.p95} vs ${off.latencyMs.p95} ms\n`);
  }
  return out;
}

async function runMode(options) {
  const blockAtIngest = options.blockAtIngest;
  const crossings = options.crossings ?? 20;
  const stacks = Math.min(options.stacks ?? 4, crossings);
  const ratePerSecond = options.ratePerSecond ?? 10;
  const concurrency = options.concurrency ?? 2;
  const print = options.print ?? true;
  const log = (line) => print && process.stdout.write(`${line}\n`);

  // 5,000 input tokens of gpt-4.1 = 0.01 USD a call; the limit is crossed by the 10th call, one second in.
  const usage = { input: 5000 };
  const price = PriceCatalog.bundled().price({ provider: 'openai', model: MODEL, timeMs: Date.now(), tokens: { input: 5000, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 } });
  const costPico = price.costPicoUsd;
  const limitUsd = '0.095';
  const limitPico = parseUsd(limitUsd);

  const started = Date.now();
  const results = [];
  const baseline = [];
  const perStackP50 = [];
  for (let i = 0; i < stacks; i++) {
    const share = Math.floor(crossings / stacks) + (i < crossings % stacks ? 1 : 0);
    const run = await onStack(i, { crossings: share, concurrency, ratePerSecond, usage, costPico, limitPico, limitUsd, blockAtIngest });
    results.push(...run.results);
    baseline.push(...run.baseline);
    perStackP50.push(summary(run.results.map((r) => r.latencyMs)).p50);
  }
  const elapsedSeconds = (Date.now() - started) / 1000;

  const latency = summary(results.map((r) => r.latencyMs));
  const feed = summary(baseline);
  const toWebhook = summary(results.filter((r) => r.toWebhookMs !== undefined).map((r) => r.toWebhookMs));
  const afterWebhook = summary(results.filter((r) => r.webhookToRefusalMs !== undefined).map((r) => r.webhookToRefusalMs));
  const overshoots = results.map((r) => r.overshootPico).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const overshootUsd = { p50: formatUsd(percentile(overshoots, 50)), p95: formatUsd(percentile(overshoots, 95)), max: formatUsd(overshoots.at(-1)) };
  // One report interval's spend (the SDK reports every second): what a subject can spend before its usage is even known.
  const reportIntervalSpendPico = costPico * BigInt(ratePerSecond);
  const result = {
    name: `crossing → refusal (${blockAtIngest ? 'blocks at ingest' : 'alert-only'})`,
    blockAtIngest,
    crossings: results.length,
    stacks,
    concurrency,
    ratePerSecond,
    costPerCallUsd: formatUsd(costPico),
    spendRateUsdPerSecond: formatUsd(costPico * BigInt(ratePerSecond)),
    limitUsd,
    latencyMs: latency,
    latencyP50PerStackMs: perStackP50,
    crossingToWebhookMs: toWebhook,
    webhookToRefusalMs: afterWebhook,
    baselineFeedMs: feed,
    ratioToBaselineP50: latency.p50 / Math.max(1, feed.p50),
    overshootUsd,
    overshootGoalP95Usd: formatUsd(reportIntervalSpendPico),
    meetsOvershootGoal: percentile(overshoots, 95) < reportIntervalSpendPico,
    goalP95Ms: 5000,
    meetsGoal: latency.p95 < 5000,
    elapsedSeconds,
  };
  log(`${result.name}: ${result.crossings} crossings on ${stacks} fresh stacks (${concurrency} subjects at a time), ${ratePerSecond} calls/s of ${result.costPerCallUsd} USD per subject (${result.spendRateUsdPerSecond} USD/s), hard limit ${limitUsd} USD; ${elapsedSeconds.toFixed(0)} s`);
  log(`  latency                 p50 ${latency.p50} ms  p95 ${latency.p95} ms  (min ${latency.min}, max ${latency.max}; goal p95 < 5000 ms: ${result.meetsGoal ? 'met' : 'NOT met'})`);
  if (toWebhook.samples > 0) {
    log(`    crossing → webhook    p50 ${toWebhook.p50} ms  p95 ${toWebhook.p95} ms  (${toWebhook.samples} of ${results.length} refused after their webhook)`);
    log(`    webhook → refusal     p50 ${afterWebhook.p50} ms  p95 ${afterWebhook.p95} ms`);
  } else log('    every refusal came before its webhook (blocked at ingest)');
  log(`    p50 per stack         ${perStackP50.map((v) => `${v} ms`).join(', ')}`);
  log(`  baseline: API block → SDK refusal  p50 ${feed.p50} ms  p95 ${feed.p95} ms;  crossing p50 / baseline p50 = ${result.ratioToBaselineP50.toFixed(1)}`);
  log(`  overshoot (spent past the limit)   p50 ${overshootUsd.p50} USD  p95 ${overshootUsd.p95} USD  max ${overshootUsd.max} USD (goal p95 < one report interval's spend, ${result.overshootGoalP95Usd} USD: ${result.meetsOvershootGoal ? 'met' : 'NOT met'})`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCrossingBench().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
