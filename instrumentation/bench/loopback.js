/**
 * SDK overhead over real loopback HTTP, as an outsider measures it: each
 * contender's process replays the same chat calls (`BENCH_REPLAY_CALLS`,
 * default 19,366, with `BENCH_REPLAY_INFLIGHT` = 16 in flight) against the
 * mock provider on 127.0.0.1 (it runs in this process, so its CPU is not the
 * client's), then exits. Client CPU is the whole process's: start-up (the
 * register hook, the SDKs, the set-up) and the replay, spans flushed at the
 * end. Passes run the contenders in rotated order; added = contender − bare
 * of the same pass; medians over `BENCH_PASSES` (3).
 */
import { startMockLlm } from '@tokenmeter/mock-llm';
import { startContender, median, us } from './child.js';
import { contenders } from './contenders.js';
import { startOtlpSink } from './otlp-sink.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const CALLS = Number(process.env.BENCH_REPLAY_CALLS ?? 19_366);
const INFLIGHT = Number(process.env.BENCH_REPLAY_INFLIGHT ?? 16);

export async function benchLoopback() {
  const list = contenders();
  const [mock, sink] = await Promise.all([startMockLlm({ maxLoggedRequests: 100 }), startOtlpSink()]);
  console.log(`\n== loopback replay: ${CALLS} openai 6 chat calls, ${INFLIGHT} in flight, against the mock provider over HTTP on 127.0.0.1`);
  console.log(`${PASSES} passes, contenders in rotated order; client process CPU (start-up included), medians over passes`);
  const runs = new Map(list.map((c) => [c.name, []]));
  try {
    for (let pass = 0; pass < PASSES; pass++) {
      for (let i = 0; i < list.length; i++) {
        const contender = list[(i + pass) % list.length];
        const process_ = startContender(contender, 'replay', sink, {
          BENCH_MOCK_URL: mock.url,
          BENCH_REPLAY_CALLS: String(CALLS),
          BENCH_REPLAY_INFLIGHT: String(INFLIGHT),
        });
        const result = await process_.next();
        await process_.exited;
        if (contender.tokenmeter && result.measured !== CALLS) throw new Error(`${contender.name} measured ${result.measured} of ${CALLS} calls`);
        runs.get(contender.name).push(result);
      }
    }
  } finally {
    await Promise.all([mock.stop(), sink.stop()]);
  }
  const bare = runs.get('bare');
  const total = (r) => r.startupNanos + r.replayNanos;
  console.log('\ncontender'.padEnd(59) + 'CPU s'.padStart(7) + '  start-up ms' + '  µs/call' + '  added µs/call (start-up incl.)' + '  added replay only' + '  fastest pass' + '  wall s');
  const out = {};
  for (const c of list) {
    const mine = runs.get(c.name);
    const added = mine.map((r, pass) => (total(r) - total(bare[pass])) / CALLS);
    const addedReplay = mine.map((r, pass) => (r.replayNanos - bare[pass].replayNanos) / CALLS);
    const line =
      c.label.padEnd(58) +
      (median(mine.map(total)) / 1e9).toFixed(2).padStart(7) +
      (median(mine.map((r) => r.startupNanos)) / 1e6).toFixed(0).padStart(13) +
      us(median(mine.map((r) => r.replayNanos / CALLS))).padStart(9) +
      (c.name === 'bare' ? '—'.padStart(33) : `${added.map(us).join(' / ')} (${us(median(added))})`.padStart(33)) +
      (c.name === 'bare' ? '—'.padStart(19) : us(median(addedReplay)).padStart(19)) +
      // The fastest pass of each against bare's fastest: machine load only ever adds CPU time.
      (c.name === 'bare' ? '—'.padStart(14) : us((Math.min(...mine.map(total)) - Math.min(...bare.map(total))) / CALLS).padStart(14)) +
      (median(mine.map((r) => r.wallNanos)) / 1e9).toFixed(2).padStart(8);
    console.log(line);
    if (c.name !== 'bare') out[c.name] = median(added) / 1000;
  }
  console.log('spans at the sink: ' + list.filter((c) => c.spans).map((c) => `${c.name} ${sink.received(c.name).requests} exports`).join('; '));
  return out;
}
