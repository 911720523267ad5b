import { describe, expect, it } from 'vitest';
import { ProviderHealth } from '../../src/router/health.js';

describe('ProviderHealth', () => {
  it('cools down after N consecutive failures, then lets exactly one probe through', () => {
    const health = new ProviderHealth({ failures: 3, millis: 1000 });
    expect(health.failure(0)).toBe(false);
    expect(health.failure(0)).toBe(false);
    expect(health.admit(0)).toBe('call');
    expect(health.failure(0)).toBe(true);
    expect(health.state(500)).toBe('open');
    expect(health.admit(500)).toBe('skip');
    expect(health.state(1000)).toBe('half-open');
    expect(health.admit(1000)).toBe('probe');
    expect(health.admit(1001)).toBe('skip'); // one probe at a time
    health.success();
    expect(health.state(1001)).toBe('closed');
    expect(health.admit(1001)).toBe('call');
  });

  it('a failed probe starts a new cool-down', () => {
    const health = new ProviderHealth({ failures: 1, millis: 1000 });
    expect(health.failure(0)).toBe(true);
    expect(health.admit(1000)).toBe('probe');
    expect(health.failure(1000)).toBe(true);
    expect(health.admit(1500)).toBe('skip');
    expect(health.admit(2000)).toBe('probe');
  });

  it('a success resets the consecutive count; a released probe lets another call probe', () => {
    const health = new ProviderHealth({ failures: 2, millis: 10 });
    health.failure(0);
    health.success();
    expect(health.failure(0)).toBe(false);
    expect(health.failure(0)).toBe(true);
    expect(health.admit(10)).toBe('probe');
    health.release();
    expect(health.admit(10)).toBe('probe');
  });

  it('rejects invalid options with exact messages', () => {
    expect(() => new ProviderHealth({ failures: 0 })).toThrow('tokenmeter: cooldown.failures must be an integer >= 1, got 0');
    expect(() => new ProviderHealth({ millis: -1 })).toThrow('tokenmeter: cooldown.millis must be >= 0, got -1');
  });
});
