/**
 * Benchmark of the SDK's local enforcement decision: the gate with 10,000
 * blocks loaded (goal: under 1 µs median per call) and the provider limit
 * check (reserve + settle) per call. Baseline: `runGates` with no gate
 * registered, measured in the same run. Run after `npx tsc -b instrumentation`:
 *   node instrumentation/bench/limits.ts
 */
import { addGate, runGates } from '../dist/core/hooks.js';
import { Enforcer } from '../dist/control/gate.js';
import type { CallDescriptor } from '../dist/core/hooks.js';
import type { EnforcementBlock, EnforcementState, ProviderState } from '../dist/protocol.js';

export interface LimitsBenchResult {
  name: string;
  medianNanos: number;
  /** Median of this case divided by the baseline's. */
  ratio: number;
}

const BATCH = 20_000;
const SAMPLES = 25;

/** Median time per call of `fn`, measured over batches so the timer's own cost does not count. */
function measure(fn: (i: number) => void): number {
  for (let i = 0; i < BATCH * 3; i++) fn(i);
  const perCall: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) fn(i);
    perCall.push(Number(process.hrtime.bigint() - start) / BATCH);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)] ?? Number.NaN;
}

function blocks(count: number): EnforcementBlock[] {
  const scopes: [EnforcementBlock['scope'], number][] = [
    ['user', 0.7],
    ['feature', 0.1],
    ['department', 0.1],
    ['org', 0.09],
    ['provider', 0.01],
  ];
  const out: EnforcementBlock[] = [];
  for (const [scope, share] of scopes) {
    for (let i = 0; i < Math.round(count * share); i++) {
      out.push({ id: `${scope}-${i}`, scope, subject: `blocked-${scope}-${i}`, reason: 'quota', quota_id: `q-${i}`, since: new Date().toISOString() });
    }
  }
  return out;
}

function usage(): ProviderState['usage'] {
  const now = Date.now();
  return {
    hour_start: new Date(Math.floor(now / 3_600_000) * 3_600_000).toISOString(),
    hour_requests: 0,
    hour_tokens: 0,
    day_start: new Date(Math.floor(now / 86_400_000) * 86_400_000).toISOString(),
    day_requests: 0,
    day_tokens: 0,
  };
}

export function benchLimits(): LimitsBenchResult[] {
  // 1,000 distinct callers, none of them blocked.
  const calls: CallDescriptor[] = Array.from({ length: 1000 }, (_, i) => ({
    provider: 'openai',
    operation: 'chat',
    streaming: false,
    attribution: { org: `org-${i % 10}`, department: `dept-${i % 50}`, user: `user-${i}`, feature: `feature-${i % 20}` },
  }));
  const pick = (i: number): CallDescriptor => calls[i % calls.length]!;

  const baseline = measure((i) => runGates(pick(i)));

  const state: EnforcementState = { revision: 1, generated_at: new Date().toISOString(), blocks: blocks(10_000), providers: [] };
  const enforcer = new Enforcer({ mode: 'fail-open', status: () => 'up' });
  enforcer.applyState(state);
  if (enforcer.blocks.size !== 10_000) throw new Error(`expected 10,000 blocks, loaded ${enforcer.blocks.size}`);
  const remove = addGate(enforcer.gate);
  const gated = measure((i) => runGates(pick(i)));
  remove();
  const lookup = measure((i) => {
    const call = pick(i);
    enforcer.blocks.find(call.attribution, call.provider);
  });
  // The refusal path: each caller is one of the 7,000 blocked users, found on the third lookup.
  const blockedCalls = calls.map((call, i) => ({ ...call, attribution: { ...call.attribution, user: `blocked-user-${(i * 7) % 7000}` } }));
  const nowMs = Date.now();
  const blocked = measure((i) => {
    const call = blockedCalls[i % blockedCalls.length]!;
    if (enforcer.blocks.find(call.attribution, call.provider, nowMs) === undefined) throw new Error(`no block found for ${call.attribution.user}`);
  });

  // Provider limits for every org: one reservation and one settlement per call.
  const newLimited = (): InstanceType<typeof Enforcer> => {
    const enforcer = new Enforcer({ mode: 'fail-open', status: () => 'up' });
    enforcer.applyState(limitedState);
    return enforcer;
  };
  const limitedState: EnforcementState = {
    ...state,
    providers: Array.from({ length: 10 }, (_, i) => ({
      org: `org-${i}`,
      provider: 'openai',
      enabled: true,
      priority: 0,
      limits: { hourly_requests: 1e12, daily_requests: 1e12, hourly_tokens: 1e15, daily_tokens: 1e15 },
      usage: usage(),
    })),
  };
  let limited = newLimited();
  const tokens = { input: 100, output: 20, cache_read: 0, cache_write: 0, reasoning: 0 };
  const startTimeMs = Date.now();
  let id = 0;
  const limitCheck = measure((i) => {
    const call = pick(i);
    limited.gate(call);
    limited.sink({ ...call, id: `c${id++}`, startTimeMs, durationMs: 1, tokens, outcome: 'ok', cost: { priced: false, costPicoUsd: 0n, costUsd: 0 } });
  });
  limited = newLimited();
  // Steady state with the control plane reachable: every 1,000 calls the reporter's delivery is acknowledged and a new state includes them.
  const acked: string[] = [];
  let revision = 2;
  const withAcks = measure((i) => {
    const call = pick(i);
    limited.gate(call);
    const callId = `a${id++}`;
    limited.sink({ ...call, id: callId, startTimeMs, durationMs: 1, tokens, outcome: 'ok', cost: { priced: false, costPicoUsd: 0n, costUsd: 0 } });
    acked.push(callId);
    if (acked.length === 1000) {
      limited.policy.acknowledge(acked, Date.now());
      acked.length = 0;
      limited.policy.applyState({ ...limitedState, revision: revision++, generated_at: new Date(Date.now() + 1).toISOString() });
    }
  });
  const checkOnly = measure((i) => {
    const call = pick(i);
    limited.policy.check(call.attribution.org, call.provider, 0);
  });

  // Loading a state with 10,000 blocks (at most 4 times a second: the feed coalesces changes to one per 250 ms).
  const loadStart = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) enforcer.applyState(state);
  const loadNanos = Number(process.hrtime.bigint() - loadStart) / 20;

  const results: LimitsBenchResult[] = [
    { name: 'baseline: runGates, no gate', medianNanos: baseline, ratio: 1 },
    { name: 'runGates + enforcement gate, 10,000 blocks, allowed', medianNanos: gated, ratio: gated / baseline },
    { name: 'block decision alone (5 lookups), 10,000 blocks', medianNanos: lookup, ratio: lookup / baseline },
    { name: 'block decision, a blocked user (the block is found)', medianNanos: blocked, ratio: blocked / baseline },
    { name: 'gate + provider limits: reserve + settle (acks every 1,000)', medianNanos: withAcks, ratio: withAcks / baseline },
    { name: 'same, control plane down (no acks, 100,000 pending)', medianNanos: limitCheck, ratio: limitCheck / baseline },
    { name: 'provider limit check alone (no reservation)', medianNanos: checkOnly, ratio: checkOnly / baseline },
    { name: 'load a state of 10,000 blocks (per update, mean)', medianNanos: loadNanos, ratio: loadNanos / baseline },
  ];
  return results;
}

function print(results: LimitsBenchResult[]): void {
  console.log('limits: local enforcement decision per call (median of batched samples)');
  for (const result of results) {
    console.log(`  ${result.name.padEnd(60)} ${result.medianNanos.toFixed(1).padStart(10)} ns   ×${result.ratio.toFixed(2)} baseline`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) print(benchLimits());
