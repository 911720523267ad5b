import { afterEach, describe, expect, it } from 'vitest';
import { withCallScope } from '../../src/core/call-scope.js';
import { addGate, runGates, type CallDescriptor, type FinishedCall } from '../../src/core/hooks.js';
import { ProviderUnavailableError, QuotaExceededError } from '../../src/control/errors.js';
import { Enforcer } from '../../src/control/gate.js';
import type { EnforcementState } from '../../src/protocol.js';

const now = new Date();
const hourStart = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000).toISOString();
const dayStart = new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000).toISOString();

const state: EnforcementState = {
  revision: 7,
  generated_at: now.toISOString(),
  blocks: [{ id: 'b1', scope: 'feature', subject: 'search', reason: 'quota', quota_id: 'q1', metric: 'tokens', limit: 1000, usage: 1200, since: now.toISOString() }],
  providers: [
    {
      org: 'acme',
      provider: 'openai',
      enabled: true,
      priority: 0,
      limits: { hourly_requests: 3 },
      usage: { hour_start: hourStart, hour_requests: 1, hour_tokens: 0, day_start: dayStart, day_requests: 1, day_tokens: 0 },
    },
    {
      org: 'acme',
      provider: 'anthropic',
      enabled: false,
      priority: 1,
      limits: {},
      usage: { hour_start: hourStart, hour_requests: 0, hour_tokens: 0, day_start: dayStart, day_requests: 0, day_tokens: 0 },
    },
  ],
};

function call(provider: string, attribution: CallDescriptor['attribution']): CallDescriptor {
  return { provider, operation: 'chat', streaming: false, attribution };
}

function finished(descriptor: CallDescriptor, id: string): FinishedCall {
  return {
    ...descriptor,
    id,
    startTimeMs: Date.now(),
    durationMs: 5,
    tokens: { input: 10, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 },
    outcome: 'ok',
    cost: { priced: false, costPicoUsd: 0n, costUsd: 0 },
  };
}

const removals: (() => void)[] = [];
afterEach(() => {
  for (const remove of removals.splice(0)) remove();
});

describe('Enforcer (the gate registered with addGate)', () => {
  it('refuses a blocked attribution with QuotaExceededError before anything leaves', () => {
    const enforcer = new Enforcer({ mode: 'fail-open', status: () => 'up' });
    enforcer.applyState(state);
    removals.push(addGate(enforcer.gate));
    expect(() => runGates(call('openai', { org: 'beta', feature: 'search' }))).toThrow(QuotaExceededError);
    expect(() => runGates(call('openai', { org: 'beta', feature: 'chat' }))).not.toThrow();
  });

  it('refuses a provider disabled for the org and enforces its limit with reservations settled by the sink', () => {
    const enforcer = new Enforcer({ mode: 'fail-open', status: () => 'up' });
    enforcer.applyState(state);
    removals.push(addGate(enforcer.gate));
    expect(() => runGates(call('anthropic', { org: 'acme' }))).toThrow(
      expect.objectContaining({ name: 'ProviderUnavailableError', reason: 'disabled', status: 403 }) as Error,
    );
    const descriptor = call('openai', { org: 'acme' });
    runGates(descriptor);
    runGates(descriptor); // 1 (fleet) + 2 in flight = 3
    expect(() => runGates(descriptor)).toThrow(expect.objectContaining({ reason: 'rate_limited', status: 429 }) as Error);
    enforcer.sink(finished(descriptor, 'a'));
    enforcer.sink({ ...finished(descriptor, 'blocked-one'), outcome: 'blocked' }); // a refused call released nothing
    expect(enforcer.policy.usage('acme', 'openai')).toMatchObject({ hourRequests: 2, inflightRequests: 1 });
    expect(() => runGates(descriptor)).toThrow(ProviderUnavailableError);
    // Another org has no limits.
    expect(() => runGates(call('openai', { org: 'beta' }))).not.toThrow();
  });

  it('reserves the router\'s token estimate from the call scope', () => {
    const enforcer = new Enforcer({ mode: 'fail-open', status: () => 'up' });
    enforcer.applyState({ ...state, providers: [{ ...state.providers[0]!, limits: { hourly_tokens: 100 } }] });
    removals.push(addGate(enforcer.gate));
    const descriptor = call('openai', { org: 'acme' });
    withCallScope({ tokenEstimate: 60 }, () => runGates(descriptor));
    expect(() => withCallScope({ tokenEstimate: 60 }, () => runGates(descriptor))).toThrow(expect.objectContaining({ limitName: 'hourly_tokens' }) as Error);
    expect(enforcer.policy.usage('acme', 'openai')?.inflightTokens).toBe(60);
  });

  it('fail-closed refuses while the control plane is unreachable; fail-open lets calls through on the last state', () => {
    let status: 'connecting' | 'up' | 'down' = 'connecting';
    const closed = new Enforcer({ mode: 'fail-closed', status: () => status });
    expect(() => closed.gate(call('openai', {}))).toThrow(expect.objectContaining({ reason: 'enforcement_unavailable', status: 503 }) as Error);
    status = 'up';
    expect(() => closed.gate(call('openai', {}))).not.toThrow();
    status = 'down';
    expect(() => closed.gate(call('openai', {}))).toThrow(expect.objectContaining({ reason: 'enforcement_unavailable' }) as Error);

    const open = new Enforcer({ mode: 'fail-open', status: () => 'down' });
    open.applyState(state);
    expect(() => open.gate(call('openai', { org: 'beta' }))).not.toThrow();
    // The last known blocks still hold.
    expect(() => open.gate(call('openai', { feature: 'search' }))).toThrow(QuotaExceededError);
  });
});
