import { describe, expect, it } from 'vitest';
import { ProviderPolicy } from '../../src/control/provider-limits.js';
import type { EnforcementState, ProviderLimits, ProviderState } from '../../src/protocol.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-01T12:30:00Z');
const HOUR_START = '2026-03-01T12:00:00.000Z';
const DAY_START = '2026-03-01T00:00:00.000Z';

function provider(org: string, name: string, limits: ProviderLimits, usage: Partial<ProviderState['usage']> = {}, extra: Partial<ProviderState> = {}): ProviderState {
  return {
    org,
    provider: name,
    enabled: true,
    priority: 1,
    limits,
    usage: { hour_start: HOUR_START, hour_requests: 0, hour_tokens: 0, day_start: DAY_START, day_requests: 0, day_tokens: 0, ...usage },
    ...extra,
  };
}

function state(providers: ProviderState[], generatedAt = new Date(NOW).toISOString(), revision = 1): EnforcementState {
  return { revision, generated_at: generatedAt, blocks: [], providers };
}

describe('ProviderPolicy', () => {
  it('lets exactly the remaining requests through when many reserve at once', () => {
    const policy = new ProviderPolicy();
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 50 }, { hour_requests: 20, day_requests: 20 })]), NOW);
    let passed = 0;
    for (let i = 0; i < 200; i++) if (policy.acquire('acme', 'openai', undefined, NOW) === undefined) passed++;
    expect(passed).toBe(30);
    const refusal = policy.acquire('acme', 'openai', undefined, NOW);
    expect(refusal?.reason).toBe('rate_limited');
    expect(refusal?.limitName).toBe('hourly_requests');
    expect(refusal?.limit).toBe(50);
    expect(refusal?.usage).toBe(50);
    expect(refusal?.resetAt?.toISOString()).toBe('2026-03-01T13:00:00.000Z');
  });

  it('counts settled calls locally until a state generated after their acknowledgement includes them', () => {
    const policy = new ProviderPolicy();
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 10, hourly_tokens: 1000 })]), NOW);
    for (let i = 0; i < 4; i++) {
      expect(policy.acquire('acme', 'openai', 10, NOW)).toBeUndefined();
      policy.settle('acme', 'openai', `call-${i}`, NOW, 100, NOW);
    }
    expect(policy.usage('acme', 'openai', NOW)).toMatchObject({ hourRequests: 4, hourTokens: 400, inflightRequests: 0, inflightTokens: 0 });

    // Acknowledged at NOW+10; a state generated before that still lacks them: they stay local.
    policy.acknowledge(['call-0', 'call-1'], NOW + 10);
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 10, hourly_tokens: 1000 }, { hour_requests: 0 })], new Date(NOW + 5).toISOString(), 2), NOW);
    expect(policy.usage('acme', 'openai', NOW + 20)?.hourRequests).toBe(4);

    // A state generated after the ack includes call-0 and call-1 in its totals; call-2 and call-3 remain local.
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 10, hourly_tokens: 1000 }, { hour_requests: 2, hour_tokens: 200, day_requests: 2, day_tokens: 200 })], new Date(NOW + 30).toISOString(), 3), NOW);
    expect(policy.usage('acme', 'openai', NOW + 40)).toMatchObject({ hourRequests: 4, hourTokens: 400, dayRequests: 4 });
  });

  it('adds other processes\' usage from the control plane to the local count', () => {
    const policy = new ProviderPolicy();
    policy.applyState(state([provider('acme', 'openai', { daily_tokens: 5000 }, { day_tokens: 4900, day_requests: 49 })]), NOW);
    expect(policy.check('acme', 'openai', 50, NOW)).toBeUndefined();
    const refusal = policy.check('acme', 'openai', 200, NOW);
    expect(refusal?.limitName).toBe('daily_tokens');
    expect(refusal?.resetAt?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('reserves token estimates while calls are in flight and releases them on settle', () => {
    const policy = new ProviderPolicy();
    policy.applyState(state([provider('acme', 'openai', { hourly_tokens: 1000 })]), NOW);
    let passed = 0;
    for (let i = 0; i < 200; i++) if (policy.acquire('acme', 'openai', 120, NOW) === undefined) passed++;
    expect(passed).toBe(8); // 8 × 120 = 960 ≤ 1000 < 9 × 120
    for (let i = 0; i < 8; i++) policy.settle('acme', 'openai', `c${i}`, NOW, 30, NOW);
    expect(policy.usage('acme', 'openai', NOW)).toMatchObject({ hourTokens: 240, inflightRequests: 0, inflightTokens: 0 });
    expect(policy.acquire('acme', 'openai', 120, NOW)).toBeUndefined();
  });

  it('starts a new hour window at the boundary', () => {
    const policy = new ProviderPolicy();
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 5, daily_requests: 100 }, { hour_requests: 5, day_requests: 5 })]), NOW);
    expect(policy.check('acme', 'openai', 0, NOW)?.limitName).toBe('hourly_requests');
    const nextHour = Date.parse(HOUR_START) + HOUR + 1;
    expect(policy.check('acme', 'openai', 0, nextHour)).toBeUndefined();
    expect(policy.usage('acme', 'openai', nextHour)).toMatchObject({ hourRequests: 0, dayRequests: 5 });
  });

  it('uses the org\'s own settings over the "*" default and refuses a disabled provider', () => {
    const policy = new ProviderPolicy();
    policy.applyState(
      state([
        provider('*', 'openai', { hourly_requests: 1 }),
        provider('*', 'anthropic', {}, {}, { enabled: true, priority: 2 }),
        provider('acme', 'anthropic', {}, {}, { enabled: false, priority: 0 }),
      ]),
      NOW,
    );
    expect(policy.settings('acme', 'openai')?.org).toBe('*');
    expect(policy.check('acme', 'anthropic', 0, NOW)?.reason).toBe('disabled');
    expect(policy.check('other', 'anthropic', 0, NOW)).toBeUndefined();
    expect(policy.providersFor('acme').find((p) => p.provider === 'anthropic')).toMatchObject({ enabled: false, priority: 0 });
    // The default limit counts per organisation.
    expect(policy.acquire('acme', 'openai', undefined, NOW)).toBeUndefined();
    expect(policy.acquire('acme', 'openai', undefined, NOW)?.reason).toBe('rate_limited');
    expect(policy.acquire('other', 'openai', undefined, NOW)).toBeUndefined();
  });

  it('treats missing or null limits as unlimited and keeps no counter for them', () => {
    const policy = new ProviderPolicy();
    policy.applyState(state([{ ...provider('acme', 'openai', {}), limits: { hourly_requests: null } as unknown as ProviderLimits }]), NOW);
    for (let i = 0; i < 100; i++) expect(policy.acquire('acme', 'openai', undefined, NOW)).toBeUndefined();
    expect(policy.usage('acme', 'openai', NOW)).toBeUndefined();
  });

  it('keeps counting calls that overflow the pending table until their window ends', () => {
    const policy = new ProviderPolicy({ maxPendingCalls: 3 });
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 100 })]), NOW);
    for (let i = 0; i < 6; i++) {
      policy.acquire('acme', 'openai', undefined, NOW);
      policy.settle('acme', 'openai', `c${i}`, NOW, 1, NOW);
    }
    policy.applyState(state([provider('acme', 'openai', { hourly_requests: 100 })], new Date(NOW + 1).toISOString(), 2), NOW);
    expect(policy.usage('acme', 'openai', NOW + 2)?.hourRequests).toBe(6);
  });
});
