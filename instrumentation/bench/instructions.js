/**
 * The overhead counted in instructions, not timed. CPU time per call spreads
 * by ±1.5 µs in process and ±12–15 µs over real HTTP between processes on the
 * bench machine, against a 5 µs target. valgrind counts the instructions a
 * process executes (`cachegrind`, no cache simulation), every thread's, and
 * V8's `--predictable` makes the count repeatable: compilation and garbage
 * collection run on the main thread on a fixed schedule instead of racing it.
 *
 * Each contender's process (set up as `contenders.js` says) replays the
 * loopback mix (16 in flight) under valgrind twice, with the two counts of
 * `BENCH_INSTR_CALLS` (1000,4000): the difference over the extra calls is its
 * instructions per call in steady state (start-up and warm-up cancel), the
 * shorter run less those its start-up. Added = contender − bare. Two
 * transports (`BENCH_INSTR_TRANSPORTS`):
 * - `in-process`: the mock provider's in-process fetch, one event-loop turn
 *   per call. Where nothing leaves the process (bare, metrics only) two
 *   processes of one contender agree within ~0.1 % (~1,500 instructions per
 *   call). Spans still go over HTTP to the local sink, and when each export
 *   runs moves a span-exporting contender's count by ~±4 % (~±30,000).
 * - `loopback`: real HTTP on 127.0.0.1. Responses arrive in batches that
 *   vary from run to run (30,000–220,000 instructions per call between runs
 *   of one contender, the most with the machine busy or spans exported).
 * Medians over `BENCH_PASSES` (2) for both.
 *
 * Not like the machine: valgrind's CPU has no SHA extensions, so OpenSSL
 * hashes in generic code (~27,000 instructions for 700 bytes, ~0.6 µs on the
 * bench machine's CPU): contenders that hash prompts (the fingerprint) count
 * high on their longer prompts. The microseconds printed beside the counts
 * use bare's own rate (its native CPU time per call over its instructions
 * per call): a scale, not a measurement. Needs valgrind (Debian `valgrind`);
 * ~15 minutes for the default contenders.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockLlm } from '@tokenmeter/mock-llm';
import { startContender, median } from './child.js';
import { contenders } from './contenders.js';
import { startOtlpSink } from './otlp-sink.js';

const [SHORT, LONG] = (process.env.BENCH_INSTR_CALLS ?? '1000,4000').split(',').map(Number);
const TRANSPORTS = (process.env.BENCH_INSTR_TRANSPORTS ?? 'in-process,loopback').split(',');
const PASSES = Number(process.env.BENCH_PASSES ?? 2);
const KNOWN_TRANSPORTS = ['in-process', 'loopback'];
const INFLIGHT = Number(process.env.BENCH_REPLAY_INFLIGHT ?? 16);
/** Processes under valgrind at once: one per core (valgrind runs a process's threads one at a time). */
const PARALLEL = 2;

export async function benchInstructions() {
  if (spawnSync('valgrind', ['--version']).error !== undefined) {
    console.log('\n(instructions: valgrind is not installed, case left out; Debian package `valgrind`)');
    return undefined;
  }
  const list = contenders();
  if (!list.some((c) => c.name === 'bare')) throw new Error('the instructions case needs the bare contender');
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-instr-'));
  // A process under valgrind runs ~30× slower: idle keep-alive connections must outlive its pauses.
  const [mock, sink] = await Promise.all([startMockLlm({ maxLoggedRequests: 100, keepAliveTimeoutMs: 600_000 }), startOtlpSink()]);
  const out = {};
  try {
    for (const transport of TRANSPORTS) {
      if (!KNOWN_TRANSPORTS.includes(transport)) throw new Error(`BENCH_INSTR_TRANSPORTS: unknown transport ${transport} (in-process, loopback)`);
      out[transport] = await count(list, transport, { mock, sink, dir });
    }
  } finally {
    await Promise.all([mock.stop(), sink.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function count(list, transport, { mock, sink, dir }) {
  console.log(`\n== instructions per call, ${transport}: openai 6 chat calls (the loopback mix), ${INFLIGHT} in flight, under valgrind with V8 --predictable`);
  console.log(`${PASSES} pass(es) × replays of ${SHORT} and ${LONG} calls per contender; per call = the difference over ${LONG - SHORT} calls`);
  const env = { BENCH_MOCK_URL: mock.url, BENCH_REPLAY_INFLIGHT: String(INFLIGHT), BENCH_REPLAY_TRANSPORT: transport };

  /** One replay of `calls`: the instructions valgrind counted, or (`native`) the process CPU of the calls in ns. */
  const replay = async (contender, calls, native = false) => {
    const file = join(dir, `${contender.name}-${transport}-${calls}-${Math.random().toString(36).slice(2)}`);
    const wrapper = native ? [] : ['valgrind', '-q', '--tool=cachegrind', '--cache-sim=no', '--branch-sim=no', '--smc-check=all-non-file', `--cachegrind-out-file=${file}.out`, `--log-file=${file}.log`];
    const child = startContender(contender, 'replay', sink, { ...env, BENCH_REPLAY_CALLS: String(calls) }, wrapper, native ? [] : ['--predictable']);
    const result = await child.next();
    const code = await child.exited;
    if (code !== 0) throw new Error(`${contender.name}: replay of ${calls} calls exited with ${code}${native ? '' : `; valgrind's log:\n${readFileSync(`${file}.log`, 'utf8')}`}`);
    if (contender.tokenmeter && result.measured !== calls) throw new Error(`${contender.name} measured ${result.measured} of ${calls} calls`);
    if (native) return result.replayNanos;
    const total = /^summary: (\d+)/m.exec(readFileSync(`${file}.out`, 'utf8'));
    if (total === null) throw new Error(`${file}.out: no cachegrind summary`);
    return Number(total[1]);
  };

  const counted = new Map(list.map((c) => [c.name, { perCall: [], startup: [] }]));
  const jobs = [];
  for (let pass = 0; pass < PASSES; pass++) for (const c of list) jobs.push(c);
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const c = jobs[next++];
      const short = await replay(c, SHORT);
      const perCall = ((await replay(c, LONG)) - short) / (LONG - SHORT);
      counted.get(c.name).perCall.push(perCall);
      counted.get(c.name).startup.push(short - SHORT * perCall);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  // The scale: bare's native CPU per steady call, alone on the machine.
  const bare = list.find((c) => c.name === 'bare');
  const nativeNanos = [];
  for (let pass = 0; pass < 3; pass++) nativeNanos.push(((await replay(bare, LONG, true)) - (await replay(bare, SHORT, true))) / (LONG - SHORT));
  return report(list, counted, median(nativeNanos), (Date.now() - started) / 1000);
}

function report(list, counted, bareNativeNanos, seconds) {
  const bare = counted.get('bare');
  const barePerCall = median(bare.perCall);
  const bareStartup = median(bare.startup);
  const nanosPerInstruction = bareNativeNanos / barePerCall;
  const micros = (instructions) => (instructions * nanosPerInstruction) / 1000;
  console.log(`bare: ${Math.round(barePerCall)} instructions and ${(bareNativeNanos / 1000).toFixed(1)} µs of native CPU per call, so ${(nanosPerInstruction * 1000).toFixed(0)} ps per instruction (${seconds.toFixed(0)} s)`);
  // Start-up stays in instructions: cold code (interpreter, compilers, module loading) runs at another rate than a steady call.
  console.log('\ncontender'.padEnd(59) + 'added instructions/call (per pass)' + '  ≈ µs at bare\'s rate' + '  added start-up, M instructions');
  const out = {};
  const added = new Map();
  for (const c of list) {
    if (c.name === 'bare') continue;
    const mine = counted.get(c.name);
    const perPass = mine.perCall.map((v, pass) => v - bare.perCall[pass]);
    added.set(c.name, median(perPass));
    const startup = (median(mine.startup) - bareStartup) / 1e6;
    console.log(
      c.label.padEnd(58) +
        `${Math.round(median(perPass))}${perPass.length > 1 ? ` (${perPass.map((v) => Math.round(v)).join(' / ')})` : ''}`.padStart(34) +
        micros(median(perPass)).toFixed(2).padStart(21) +
        startup.toFixed(0).padStart(33),
    );
    out[c.name] = { addedInstructions: Math.round(median(perPass)), atBareRateMicros: Number(micros(median(perPass)).toFixed(2)), startupMegaInstructions: Math.round(startup) };
  }
  // As a multiple of each peer's: a ratio that carries from one machine to another, as the microseconds do not.
  const peers = list.filter((c) => c.peer !== undefined && added.get(c.name) > 0);
  for (const c of list.filter((c) => c.tokenmeter)) {
    if (peers.length === 0) break;
    console.log(`${c.name} adds ${peers.map((p) => `${(added.get(c.name) / added.get(p.name)).toFixed(2)} × ${p.name}`).join(', ')} (instructions per call)`);
  }
  return out;
}
