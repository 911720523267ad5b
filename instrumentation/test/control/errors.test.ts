import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError, QuotaExceededError, isRefusal } from '../../src/control/errors.js';

describe('QuotaExceededError', () => {
  it('carries scope, subject, quota, limit, usage, reset time, status 429 and a clear message', () => {
    const error = new QuotaExceededError({
      id: 'blk-1',
      scope: 'department',
      subject: 'research',
      reason: 'quota',
      quota_id: 'q-daily',
      metric: 'cost',
      limit: 100,
      usage: 100.5,
      reset_at: '2026-03-02T00:00:00.000Z',
      since: '2026-03-01T10:00:00Z',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('QuotaExceededError');
    expect(error.status).toBe(429);
    expect(error.code).toBe('quota_exceeded');
    expect(error.scope).toBe('department');
    expect(error.subject).toBe('research');
    expect(error.quotaId).toBe('q-daily');
    expect(error.limit).toBe(100);
    expect(error.usage).toBe(100.5);
    expect(error.resetAt?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(error.message).toBe(
      'tokenmeter: department "research" is blocked by quota q-daily (usage 100.5 of limit 100 USD); resets at 2026-03-02T00:00:00.000Z',
    );
    expect(isRefusal(error)).toBe(true);
  });

  it('describes a manual block without a quota', () => {
    const error = new QuotaExceededError({ id: 'b', scope: 'feature', subject: 'search', reason: 'manual', since: 'x', message: 'runaway loop' });
    expect(error.quotaId).toBeUndefined();
    expect(error.message).toBe('tokenmeter: feature "search" is blocked (manual): runaway loop');
  });
});

describe('ProviderUnavailableError', () => {
  it('maps reasons to statuses and codes', () => {
    const limited = new ProviderUnavailableError({ provider: 'openai', org: 'acme', reason: 'rate_limited', limitName: 'hourly_requests', limit: 10, usage: 10, resetAt: new Date('2026-03-01T13:00:00Z') });
    expect(limited.status).toBe(429);
    expect(limited.code).toBe('provider_rate_limited');
    expect(limited.message).toBe('tokenmeter: provider "openai" is over its hourly_requests limit for org "acme" (usage 10 of limit 10); resets at 2026-03-01T13:00:00.000Z');
    expect(new ProviderUnavailableError({ provider: 'openai', reason: 'disabled' }).status).toBe(403);
    const closed = new ProviderUnavailableError({ provider: 'openai', reason: 'enforcement_unavailable' });
    expect(closed.status).toBe(503);
    expect(closed.message).toContain('fail-closed');
    expect(isRefusal(new Error('x'))).toBe(false);
  });
});
