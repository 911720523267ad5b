/**
 * The SDK's local decision with 10,000 blocks loaded. The measurement lives
 * with the SDK (instrumentation/bench/limits.ts, run here through Node's type
 * stripping against instrumentation/dist); this module adds the one case it
 * leaves out: the lookup that finds a block (a blocked user), against the
 * allowed decision of the same run.
 */
import { fileURLToPath } from 'node:url';
import { fmt, goal } from './stats.js';

const LIMITS = new URL('../../instrumentation/bench/limits.ts', import.meta.url);
const BLOCK_INDEX = new URL('../../instrumentation/dist/control/block-index.js', import.meta.url);
const GOAL_NANOS = 1000;
const BATCH = 20_000;
const SAMPLES = 25;

/** Median ns per call of `fn`, over batches (as limits.ts measures). */
function measure(fn) {
  for (let i = 0; i < BATCH * 3; i++) fn(i);
  const perCall = [];
  for (let s = 0; s < SAMPLES; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) fn(i);
    perCall.push(Number(process.hrtime.bigint() - start) / BATCH);
  }
  perCall.sort((a, b) => a - b);
  return perCall[SAMPLES >> 1];
}

/** The decision for a blocked user: one of 7,000 user blocks among 10,000 (limits.ts's mix), found on the third lookup. */
async function blockedLookup() {
  const { BlockIndex } = await import(BLOCK_INDEX.href);
  const since = new Date().toISOString();
  const blocks = [];
  for (const [scope, count] of [['user', 7000], ['feature', 1000], ['department', 1000], ['org', 900], ['provider', 100]]) {
    for (let i = 0; i < count; i++) blocks.push({ id: `${scope}-${i}`, scope, subject: `blocked-${scope}-${i}`, reason: 'quota', quota_id: `q-${i}`, since });
  }
  const index = new BlockIndex(blocks);
  const calls = Array.from({ length: 1000 }, (_, i) => ({ org: `org-${i % 10}`, department: `dept-${i % 50}`, user: `blocked-user-${(i * 7) % 7000}`, feature: `feature-${i % 20}` }));
  const nowMs = Date.now();
  let found = 0;
  const nanos = measure((i) => {
    if (index.find(calls[i % calls.length], 'openai', nowMs) !== undefined) found++;
  });
  if (found === 0) throw new Error('blocked lookup found no block');
  return nanos;
}

export async function runDecisionBench() {
  console.log('\nSDK local decision, 10,000 blocks loaded (instrumentation/bench/limits.ts + the blocked case)');
  const { benchLimits } = await import(LIMITS.href);
  const results = benchLimits();
  for (const r of results) console.log(`  ${r.name.padEnd(62)}${fmt(r.medianNanos).padStart(14)} ns   ×${fmt(r.ratio, 2)} baseline`);
  const gate = results.find((r) => r.name.startsWith('runGates + enforcement gate'));
  const blocked = await blockedLookup();
  console.log(`  ${'block decision, a blocked user (the block is found)'.padEnd(62)}${fmt(blocked).padStart(14)} ns   ×${fmt(blocked / gate.medianNanos, 2)} the allowed gate`);
  console.log(`  median of ${SAMPLES} batches of ${BATCH.toLocaleString('en-US')} calls; allowed call through the gate ${fmt(gate.medianNanos)} ns (goal < 1 µs: ${goal(gate.medianNanos < GOAL_NANOS && blocked < GOAL_NANOS)})`);
  return { limits: results, blockedLookupNanos: blocked, source: fileURLToPath(LIMITS) };
}
