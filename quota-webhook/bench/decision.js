/**
 * The SDK's local decision with 10,000 blocks loaded: measured with the SDK
 * (instrumentation/bench/limits.ts, run here through Node's type stripping
 * against instrumentation/dist), allowed and blocked callers alike.
 */
import { fileURLToPath } from 'node:url';
import { fmt, goal } from './stats.js';

const LIMITS = new URL('../../instrumentation/bench/limits.ts', import.meta.url);
const GOAL_NANOS = 1000;

export async function runDecisionBench() {
  console.log('\nSDK local decision, 10,000 blocks loaded (instrumentation/bench/limits.ts)');
  const { benchLimits } = await import(LIMITS.href);
  const results = benchLimits();
  for (const r of results) console.log(`  ${r.name.padEnd(62)}${fmt(r.medianNanos).padStart(14)} ns   ×${fmt(r.ratio, 2)} baseline`);
  const gate = results.find((r) => r.name.startsWith('runGates + enforcement gate'));
  const blocked = results.find((r) => r.name.startsWith('block decision, a blocked user'));
  console.log(`  allowed call through the gate ${fmt(gate.medianNanos)} ns, blocked user ${fmt(blocked.medianNanos)} ns (goal < 1 µs: ${goal(gate.medianNanos < GOAL_NANOS && blocked.medianNanos < GOAL_NANOS)})`);
  return { limits: results, blockedLookupNanos: blocked.medianNanos, source: fileURLToPath(LIMITS) };
}
