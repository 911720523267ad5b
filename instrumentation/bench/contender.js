/**
 * One contender of the overhead benches, in a process of its own (patches
 * and providers are global). Started by `overhead.js` or `loopback.js` with
 * the flags and environment of `contenders.js`; talks to its parent over IPC.
 *
 *   node contender.js <name> rounds   in-process fetch; times rounds of sequential calls on request
 *   node contender.js <name> replay   real HTTP to the mock provider: BENCH_REPLAY_CALLS calls,
 *                                     BENCH_REPLAY_INFLIGHT in flight, then reports and exits
 *                                     (BENCH_REPLAY_TRANSPORT=in-process: the same calls on the in-process fetch)
 *   node contender.js <name> loopback-rounds
 *                                     the replay's calls in rounds on request, after BENCH_WARMUP_CALLS
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contenders, flushSpans, installPeer, openaiClass, packageDir } from './contenders.js';
import { inProcessFetch } from './transport.js';

const [name, mode] = process.argv.slice(2);
const contender = contenders([name])[0];
if (contender === undefined) throw new Error(`unknown or uninstalled contender ${name}`);
if (contender.peer !== undefined) installPeer(contender);

/** Counts the calls tokenmeter measured, so the parent can check it is measuring. */
let measured = 0;
if (contender.tokenmeter) {
  const { addSink } = await import(pathToFileURL(join(packageDir(contender), 'dist/core/hooks.js')).href);
  addSink(() => measured++);
}
const OpenAI = openaiClass();
// The replay's calls without a socket (`instructions.js`): what the machine's timing cannot move.
const replayFetch = process.env.BENCH_REPLAY_TRANSPORT === 'in-process' ? await inProcessFetch({ yieldPerCall: true }) : undefined;

/** Process CPU (all threads: the exporters' work and GC count) in ns. */
function cpuNanos(since) {
  const used = process.cpuUsage(since);
  return (used.user + used.system) * 1000;
}

if (mode === 'rounds') {
  // Each call yields one event-loop turn before it is answered, as a network round trip does: the
  // batch span processors' exports run during the round and count. (With a fetch that never yields,
  // a round is one microtask chain: exports wait, the span queue fills at 2,048 and later spans are dropped.)
  const fetch = await inProcessFetch({ yieldPerCall: true });
  const client = new OpenAI({ apiKey: 'bench', fetch, maxRetries: 0 });
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
  const calls = async (count) => {
    for (let i = 0; i < count; i++) await client.chat.completions.create(body);
  };
  await calls(2000); // warm-up: JIT, lazy parts, the first exports
  await flushSpans();
  const profiler = await startProfiler(); // BENCH_CPU_PROF: the measured rounds only
  process.send({ type: 'ready', measured });
  process.on('message', (message) => {
    if (message.type === 'exit') void profiler.stop().then(() => process.exit(0));
    if (message.type !== 'round') return;
    void (async () => {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      await calls(message.calls);
      const wallNanos = Number(process.hrtime.bigint() - start) / message.calls;
      process.send({ type: 'round', cpuNanos: cpuNanos(cpu) / message.calls, wallNanos });
    })();
  });
} else if (mode === 'loopback-rounds') {
  // The replay's calls and concurrency in rounds on request (`loopback-rounds.js`): steady-state CPU per call over real HTTP.
  const startupNanos = cpuNanos();
  const calls = replayer();
  await calls(Number(process.env.BENCH_WARMUP_CALLS));
  await flushSpans();
  process.send({ type: 'ready', measured, startupNanos });
  process.on('message', (message) => {
    if (message.type === 'exit') process.exit(0);
    if (message.type !== 'round') return;
    void (async () => {
      const cpu = process.cpuUsage();
      await calls(message.calls);
      process.send({ type: 'round', cpuNanos: cpuNanos(cpu) / message.calls });
    })();
  });
} else if (mode === 'replay') {
  const calls = replayer();
  const startupNanos = cpuNanos(); // since the process started: the register hook, the SDKs, the set-up
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await calls(Number(process.env.BENCH_REPLAY_CALLS));
  await flushSpans();
  const replayNanos = cpuNanos(cpu);
  const wallNanos = Number(process.hrtime.bigint() - start);
  process.send({ type: 'replayed', startupNanos, replayNanos, wallNanos, measured });
  process.disconnect();
} else {
  throw new Error(`unknown mode ${mode}`);
}

/**
 * `calls(count)`: the next `count` requests of the mix over real HTTP to the mock provider
 * (`BENCH_MOCK_URL`; or on the in-process fetch), `BENCH_REPLAY_INFLIGHT` in flight; resolves when all are answered.
 */
function replayer() {
  const inflight = Number(process.env.BENCH_REPLAY_INFLIGHT);
  const client = new OpenAI({ apiKey: 'bench', maxRetries: 0, ...(replayFetch !== undefined ? { fetch: replayFetch } : { baseURL: `${process.env.BENCH_MOCK_URL}/v1` }) });
  let index = 0;
  return async (count) => {
    const end = index + count;
    const worker = async () => {
      while (index < end) await client.chat.completions.create(request(index++));
    };
    await Promise.all(Array.from({ length: inflight }, worker));
  };
}

/** With `BENCH_CPU_PROF=<dir>`, a CPU profile (100 µs sampling) from now until `stop()`, written as `<dir>/<name>-rounds.cpuprofile`. */
async function startProfiler() {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(dir, `${name}-rounds.cpuprofile`), JSON.stringify(profile));
    },
  };
}

/** A deterministic mix of chat requests: a few models, prompts of varied length, an output bound. */
function request(i) {
  const models = ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o'];
  const words = 8 + ((i * 7919) % 120);
  return {
    model: models[i % models.length],
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: `Request ${i}: ${'lorem '.repeat(words)}` },
    ],
    max_tokens: 16 + (i % 48),
  };
}
