/**
 * The loopback configuration split into what can be measured on a noisy
 * machine: steady-state CPU per call over real HTTP, and start-up. The
 * whole-replay figure (`loopback.js`) adds ~7 s of client CPU per pass, and
 * its passes spread by ±20–40 µs per call here, far more than the 5 µs it is
 * judged by. Here each contender's process (set up as `contenders.js` says)
 * replays the same request mix with the same concurrency in rounds of
 * `BENCH_ROUNDS_CALLS` calls, interleaved across contenders (order rotated);
 * per pass a contender's figure is its fastest round (load only ever adds
 * CPU time), and the added time is that minus bare's. Start-up is the
 * process CPU before its first call, median over the passes' processes.
 * The estimate for the whole replay is steady + start-up / BENCH_REPLAY_CALLS.
 *
 *   BENCH_PASSES (3), BENCH_ROUNDS (9), BENCH_ROUNDS_CALLS (2000), BENCH_REPLAY_INFLIGHT (16), BENCH_REPLAY_CALLS (19,366)
 */
import { startMockLlm } from '@tokenmeter/mock-llm';
import { startContender, stopContenders, median, us } from './child.js';
import { contenders } from './contenders.js';
import { startOtlpSink } from './otlp-sink.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CALLS = Number(process.env.BENCH_ROUNDS_CALLS ?? 2000);
const INFLIGHT = Number(process.env.BENCH_REPLAY_INFLIGHT ?? 16);
const REPLAY_CALLS = Number(process.env.BENCH_REPLAY_CALLS ?? 19_366);

export async function benchLoopbackRounds() {
  const list = contenders();
  const [mock, sink] = await Promise.all([startMockLlm({ maxLoggedRequests: 100 }), startOtlpSink()]);
  console.log(`\n== loopback in rounds: openai 6 chat calls, ${INFLIGHT} in flight, over HTTP on 127.0.0.1`);
  console.log(`${PASSES} passes (fresh processes) × ${ROUNDS} interleaved rounds × ${CALLS} calls; per pass the fastest round`);
  const steady = new Map(list.map((c) => [c.name, []]));
  const startup = new Map(list.map((c) => [c.name, []]));
  try {
    for (let pass = 0; pass < PASSES; pass++) {
      const running = list.map((c) =>
        startContender(c, 'loopback-rounds', sink, { BENCH_MOCK_URL: mock.url, BENCH_REPLAY_INFLIGHT: String(INFLIGHT), BENCH_WARMUP_CALLS: String(CALLS) }),
      );
      try {
        for (const p of running) {
          const ready = await p.next();
          if (p.contender.tokenmeter && ready.measured === 0) throw new Error(`${p.contender.name} did not measure the warm-up calls`);
          startup.get(p.contender.name).push(ready.startupNanos);
        }
        const rounds = new Map(list.map((c) => [c.name, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (let i = 0; i < running.length; i++) {
            const p = running[(i + round + pass) % running.length];
            p.send({ type: 'round', calls: CALLS });
            rounds.get(p.contender.name).push((await p.next()).cpuNanos);
          }
        }
        for (const c of list) steady.get(c.name).push(Math.min(...rounds.get(c.name)));
      } finally {
        await stopContenders(running);
      }
    }
  } finally {
    await Promise.all([mock.stop(), sink.stop()]);
  }
  const bareSteady = steady.get('bare');
  const bareStartup = median(startup.get('bare'));
  console.log('\ncontender'.padEnd(59) + 'fastest µs/call' + '   added µs/call per pass (median)' + '  start-up ms' + `  estimate for ${REPLAY_CALLS} calls, µs/call`);
  const out = {};
  for (const c of list) {
    const added = steady.get(c.name).map((v, pass) => v - bareSteady[pass]);
    const startupMs = median(startup.get(c.name)) / 1e6;
    const estimate = median(added) + (median(startup.get(c.name)) - bareStartup) / REPLAY_CALLS;
    console.log(
      c.label.padEnd(58) +
        us(median(steady.get(c.name))).padStart(15) +
        (c.name === 'bare' ? '—' : `${added.map(us).join(' / ')} (${us(median(added))})`).padStart(35) +
        startupMs.toFixed(0).padStart(13) +
        (c.name === 'bare' ? '—' : us(estimate)).padStart(38),
    );
    if (c.name !== 'bare') out[c.name] = { steadyMicros: median(added) / 1000, estimateMicros: estimate / 1000 };
  }
  return out;
}
