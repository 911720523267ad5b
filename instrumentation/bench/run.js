/**
 * `npm run bench -w instrumentation`: the SDK's overhead as an outsider
 * measures it, in two configurations, each against the bare SDK and the peer
 * instrumentations installed in tools/sdk-fixtures/openai-v6, in the same
 * run (`overhead.js`: in process, the outside harness's rounds; `loopback.js`:
 * a replay over real HTTP, start-up included; `loopback-rounds.js`: the same
 * calls in interleaved rounds, and start-up apart; `instructions.js`: the
 * replay's calls counted in instructions under valgrind, in process and over
 * loopback, which the machine's noise does not move); then the in-process call pipeline and the
 * metrics, pricing, limits and router benches. Needs the build (`npm run
 * build` at the root). About 20 minutes on the 2-core bench machine (15 of
 * them under valgrind);
 * `BENCH_CASES=overhead,loopback,loopback-rounds,instructions,siblings` picks parts,
 * the other `BENCH_*` variables are in each file. `BENCH_CPU_PROF=<dir>`
 * writes a CPU profile of every contender process.
 */
import { readdirSync } from 'node:fs';
import { benchLoopback } from './loopback.js';
import { benchInstructions } from './instructions.js';
import { benchLoopbackRounds } from './loopback-rounds.js';
import { benchOverhead } from './overhead.js';

const here = new URL('.', import.meta.url);
const cases = (process.env.BENCH_CASES ?? 'overhead,loopback,loopback-rounds,instructions,siblings').split(',');

/** Runs the sibling benches (pipeline, spans, metrics hot path, pricing, limit checks, router) where their modules exist. */
async function benchSiblings() {
  for (const prefix of ['pipeline', 'spans', 'metrics', 'pricing', 'limits', 'router', 'fingerprint']) {
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
const summary = {};
if (cases.includes('overhead')) summary.inProcessAddedMicros = await benchOverhead();
if (cases.includes('loopback')) summary.loopbackAddedMicros = await benchLoopback();
if (cases.includes('loopback-rounds')) summary.loopbackRounds = await benchLoopbackRounds();
if (cases.includes('instructions')) summary.instructions = await benchInstructions();
if (['overhead', 'loopback', 'loopback-rounds', 'instructions'].some((c) => cases.includes(c))) console.log('\nadded CPU µs per call (medians):', JSON.stringify(summary));
if (cases.includes('siblings')) await benchSiblings();
console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
