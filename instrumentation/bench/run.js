/**
 * `npm run bench -w instrumentation`: the time our instrumentation adds to one
 * non-streaming openai 6 chat call, against the same call uninstrumented and
 * the two peer instrumentations, all in one run. Each contender lives in its
 * own child process (patches are global); rounds are interleaved across them
 * (order rotated each round) so machine load drifts alike for all; the added
 * time is the per-round difference to `bare`, and medians are reported.
 * Then the in-process call pipeline (with the metrics hot path), and the
 * metrics and pricing benches of the other engineers where present. Needs the
 * build (`npm run build` / `npx tsc -b instrumentation`); bounded well under
 * two minutes.
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transport } from './transport.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 400);
const here = new URL('.', import.meta.url);
const register = fileURLToPath(new URL('../register.cjs', import.meta.url));
const registered = existsSync(new URL('../dist/register.js', import.meta.url));

const CONTENDERS = [
  { name: 'bare', label: 'bare openai 6 (baseline)' },
  { name: 'tokenmeter', label: 'tokenmeter (register, Prometheus exporter unscraped)' },
  { name: 'tokenmeter-nofp', label: 'tokenmeter, TOKENMETER_PROMPT_FINGERPRINT=off', env: { TOKENMETER_PROMPT_FINGERPRINT: 'off' } },
  { name: 'tokenmeter-spans', label: 'tokenmeter + TracerProvider (spans recorded)' },
  { name: 'contrib', label: '@opentelemetry/instrumentation-openai 0.22' },
  { name: 'traceloop', label: '@traceloop/instrumentation-openai 0.27' },
];

function start(contender) {
  const tokenmeter = contender.name.startsWith('tokenmeter');
  const child = fork(fileURLToPath(new URL('contender.js', here)), [contender.name], {
    execArgv: tokenmeter && registered ? ['--require', register] : [],
    env: {
      ...process.env,
      TOKENMETER_BENCH_REGISTERED: tokenmeter && registered ? '1' : '0',
      // Ours as a service would run it: Prometheus exporter configured, never scraped, no control plane.
      TOKENMETER_PROMETHEUS_HOST: '127.0.0.1',
      TOKENMETER_PROMETHEUS_PORT: '0',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'tokenmeter-bench',
      ...contender.env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = [];
  child.on('message', (message) => waiters.shift()?.(message));
  const next = () => new Promise((resolve) => waiters.push(resolve));
  return { ...contender, child, next, ready: next() };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const us = (nanos) => (nanos / 1000).toFixed(2);

function printTable(title, running, samples) {
  const bare = samples.get('bare');
  const added = new Map(running.map((c) => [c.name, median(samples.get(c.name).map((t, r) => t - bare[r]))]));
  const ours = added.get('tokenmeter');
  const oursSpans = added.get('tokenmeter-spans');
  console.log(`\n${title}`);
  console.log('contender'.padEnd(56) + 'median µs/call'.padStart(15) + 'added µs'.padStart(10) + '  ratio ours/peer (ours with spans/peer)');
  for (const contender of running) {
    const extra = added.get(contender.name);
    const peer = contender.name === 'contrib' || contender.name === 'traceloop';
    const ratio = peer ? `${(ours / extra).toFixed(2)} (${(oursSpans / extra).toFixed(2)})` : '';
    const addedText = contender.name === 'bare' ? '—' : us(extra);
    console.log(contender.label.padEnd(56) + us(median(samples.get(contender.name))).padStart(15) + addedText.padStart(10) + '  ' + ratio);
  }
}

async function benchOverhead() {
  const { source } = await transport();
  console.log(`openai 6 chat.completions.create, non-streaming, on ${source}`);
  console.log(`${ROUNDS} interleaved rounds × ${CALLS_PER_ROUND} sequential calls per contender; medians of per-call time\n`);
  const running = [];
  try {
    for (const contender of CONTENDERS) running.push(start(contender));
    for (const contender of running) {
      const ready = await contender.ready;
      contender.ready = ready;
      if (!ready.measuring) throw new Error(`${contender.name} did not instrument the call (spans ${ready.spans}, records ${ready.records})`);
    }
    const samples = { cpu: new Map(running.map((c) => [c.name, []])), wall: new Map(running.map((c) => [c.name, []])) };
    for (let r = 0; r < ROUNDS; r++) {
      const order = running.map((_, i) => running[(i + r) % running.length]);
      for (const contender of order) {
        contender.child.send({ type: 'round', calls: CALLS_PER_ROUND });
        const { cpuNanos, wallNanos } = await contender.next();
        samples.cpu.get(contender.name).push(cpuNanos);
        samples.wall.get(contender.name).push(wallNanos);
      }
    }
    for (const [clock, title] of [
      ['cpu', 'CPU time per call (process, all threads: robust to other load on the machine)'],
      ['wall', 'wall time per call'],
    ]) {
      printTable(title, running, samples[clock]);
    }
    console.log('\nadded = median over rounds of (contender − bare in the same round); ratio = ours ÷ peer added time:');
    console.log('< 1 means tokenmeter adds less time than that peer, while also pricing and attributing.');
  } finally {
    for (const contender of running) contender.child.kill();
  }
}

/** Runs the sibling benches (metrics hot path, pricing, limit checks, router) where their modules exist. */
async function benchSiblings() {
  for (const prefix of ['pipeline', 'metrics', 'pricing', 'limits', 'router', 'fingerprint']) {
    const file = readdirSync(here).find((f) => f.startsWith(prefix) && /\.(ts|js)$/.test(f));
    if (file === undefined) {
      console.log(`\n(${prefix} bench: no bench/${prefix}* module yet)`);
      continue;
    }
    console.log(`\n== ${file}`);
    const mod = await import(new URL(file, here).href);
    const run = Object.entries(mod).find(([key, value]) => typeof value === 'function' && /^(run|bench)/.test(key));
    if (run === undefined) {
      console.log(`(bench/${file} exports no run*/bench* function)`);
      continue;
    }
    const result = await run[1]();
    if (result !== undefined) console.log(typeof result === 'string' ? result : JSON.stringify(result, null, 2));
  }
}

const started = Date.now();
await benchOverhead();
await benchSiblings();
console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
