/**
 * SDK overhead as an outsider measures it, in process: openai 6 non-streaming
 * chat calls on an in-process fetch (one event-loop turn per call), each
 * contender in its own process set up as `contenders.js` says (tokenmeter by
 * `--require …/register`, Prometheus exporter on, spans over OTLP/HTTP
 * protobuf to a local sink; the peers exporting the same way). Rounds of
 * sequential calls are interleaved across contenders (order rotated each
 * round); per pass, each contender's figure is its fastest round (the min of
 * `BENCH_ROUNDS`, as the outside harness took), and the added time is that
 * minus bare's. Process CPU time per call (all threads: exports and GC
 * count), and wall time.
 *
 *   BENCH_PASSES (3), BENCH_ROUNDS (15), BENCH_CALLS (2000), BENCH_CONTENDERS (all)
 */
import { startContender, stopContenders, median, us } from './child.js';
import { contenders } from './contenders.js';
import { startOtlpSink } from './otlp-sink.js';
import { transport } from './transport.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);

export async function benchOverhead() {
  const { source } = await transport();
  const sink = await startOtlpSink();
  const list = contenders();
  console.log(`\n== in-process overhead: openai 6 chat.completions.create on ${source}, one event-loop turn per call`);
  console.log(`${PASSES} passes × ${ROUNDS} interleaved rounds × ${CALLS} sequential calls per contender; per pass the fastest round`);
  const running = list.map((contender) => startContender(contender, 'rounds', sink));
  try {
    for (const process_ of running) {
      const ready = await process_.next();
      if (process_.contender.tokenmeter && ready.measured === 0) throw new Error(`${process_.contender.name} did not measure the warm-up calls`);
    }
    // samples[clock][contender][pass] = per-round values
    const samples = { cpu: new Map(), wall: new Map() };
    for (const clock of ['cpu', 'wall']) for (const c of list) samples[clock].set(c.name, Array.from({ length: PASSES }, () => []));
    for (let pass = 0; pass < PASSES; pass++) {
      for (let round = 0; round < ROUNDS; round++) {
        const offset = pass * ROUNDS + round;
        for (let i = 0; i < running.length; i++) {
          const process_ = running[(i + offset) % running.length];
          process_.send({ type: 'round', calls: CALLS });
          const { cpuNanos, wallNanos } = await process_.next();
          samples.cpu.get(process_.contender.name)[pass].push(cpuNanos);
          samples.wall.get(process_.contender.name)[pass].push(wallNanos);
        }
      }
    }
    for (const [clock, title] of [
      ['cpu', 'CPU time per call (process, all threads)'],
      ['wall', 'wall time per call'],
    ]) {
      printTable(title, list, samples[clock]);
    }
    printPeerRatios(list, samples.cpu);
    console.log('\nspans at the sink: ' + list.filter((c) => c.spans).map((c) => `${c.name} ${sink.received(c.name).requests} exports, ${(sink.received(c.name).bytes / 1e6).toFixed(1)} MB`).join('; '));
    return summary(list, samples.cpu);
  } finally {
    await stopContenders(running);
    await sink.stop();
  }
}

/** Per pass: the fastest round; added = that minus bare's fastest round of the same pass. */
function perPass(list, samples) {
  const bare = samples.get('bare').map((rounds) => Math.min(...rounds));
  return new Map(list.map((c) => {
    const best = samples.get(c.name).map((rounds) => Math.min(...rounds));
    return [c.name, { best, added: best.map((b, pass) => b - bare[pass]) }];
  }));
}

function printTable(title, list, samples) {
  const passes = perPass(list, samples);
  console.log(`\n${title}`);
  console.log('contender'.padEnd(58) + 'fastest µs/call'.padStart(16) + '   added µs per pass (median)');
  for (const c of list) {
    const { best, added } = passes.get(c.name);
    const addedText = c.name === 'bare' ? '—' : `${added.map(us).join(' / ')}  (${us(median(added))})`;
    console.log(c.label.padEnd(58) + us(median(best)).padStart(16) + '   ' + addedText);
  }
}

/**
 * tokenmeter's added CPU as a multiple of each peer's, pass by pass (median): the figure that
 * carries from one machine to another, where the microseconds do not (a bare call costs ~1.8×
 * here what it cost on the outside harness's machine, an instrumentation's added time ~3×).
 */
function printPeerRatios(list, samples) {
  const peers = list.filter((c) => c.peer);
  const ours = list.filter((c) => c.tokenmeter && !c.before);
  if (peers.length === 0 || ours.length === 0) return;
  const passes = perPass(list, samples);
  console.log('\nadded CPU relative to the peers (median over passes of the per-pass ratio)');
  for (const c of ours) {
    const ratios = peers.map((peer) => {
      const mine = passes.get(c.name).added;
      const theirs = passes.get(peer.name).added;
      return `${median(mine.map((a, pass) => a / theirs[pass])).toFixed(2)} × ${peer.name}`;
    });
    console.log(c.label.padEnd(58) + ratios.join(', '));
  }
}

function summary(list, samples) {
  const passes = perPass(list, samples);
  return Object.fromEntries(list.filter((c) => c.name !== 'bare').map((c) => [c.name, median(passes.get(c.name).added) / 1000]));
}
