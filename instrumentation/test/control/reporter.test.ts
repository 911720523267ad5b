import { freePort } from '@tokenmeter/testkit';
import { describe, expect, it } from 'vitest';
import type { FinishedCall } from '../../src/core/hooks.js';
import { UsageReporter, toUsageRecord } from '../../src/control/reporter.js';

function finished(id: string, extra: Partial<FinishedCall> = {}): FinishedCall {
  return {
    id,
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4.1-mini',
    responseModel: 'gpt-4.1-mini-2025-04-14',
    streaming: false,
    attribution: { org: 'acme', department: 'research', user: 'u1', feature: 'search', session: 's1' },
    startTimeMs: Date.parse('2026-03-01T12:00:00.250Z'),
    durationMs: 812.6,
    tokens: { input: 100, output: 20, cache_read: 5, cache_write: 0, reasoning: 3 },
    outcome: 'ok',
    cost: { priced: true, costPicoUsd: 123_456_789n, costUsd: 0.000123456789, priceId: 'openai/gpt-4.1-mini@2025-04-14' },
    ...extra,
  };
}

function collectingLogger(): { warn: (m: string) => void; info: (m: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m), info: () => undefined };
}

describe('toUsageRecord', () => {
  it('maps a finished call to the ledger record (exact cost string, start time, call id)', () => {
    expect(toUsageRecord(finished('abc123'), 'checkout')).toEqual({
      id: 'abc123',
      time: '2026-03-01T12:00:00.250Z',
      org: 'acme',
      department: 'research',
      user: 'u1',
      feature: 'search',
      session: 's1',
      provider: 'openai',
      operation: 'chat',
      request_model: 'gpt-4.1-mini',
      response_model: 'gpt-4.1-mini-2025-04-14',
      tokens: { input: 100, output: 20, cache_read: 5, cache_write: 0, reasoning: 3 },
      cost_usd: '0.000123456789',
      price_id: 'openai/gpt-4.1-mini@2025-04-14',
      outcome: 'ok',
      latency_ms: 813,
      source: 'sdk',
      service: 'checkout',
      stream: false,
    });
  });

  it('writes null cost for an unpriced call and keeps the error type', () => {
    const record = toUsageRecord(finished('x', { cost: { priced: false, costPicoUsd: 0n, costUsd: 0 }, outcome: 'error', errorType: '429' }));
    expect(record.cost_usd).toBeNull();
    expect(record.price_id).toBeNull();
    expect(record.error_type).toBe('429');
    expect(record.service).toBeUndefined();
  });
});

describe('UsageReporter without a reachable control plane', () => {
  it('keeps memory bounded by dropping the oldest records, counted and warned once', async () => {
    const logger = collectingLogger();
    const reporter = new UsageReporter({
      url: `http://127.0.0.1:${await freePort()}`,
      maxBufferedRecords: 5,
      reportIntervalMillis: 60_000,
      exportTimeoutMillis: 1000,
      logger,
    });
    for (let i = 0; i < 8; i++) reporter.sink(finished(`id-${i}`));
    expect(reporter.buffered).toBe(5);
    expect(reporter.dropped).toBe(3);
    for (let i = 8; i < 10; i++) reporter.sink(finished(`id-${i}`));
    expect(reporter.dropped).toBe(5);
    expect(logger.warnings.filter((m) => m.includes('usage buffer is full'))).toHaveLength(1);

    // Delivery fails (nothing listens): the records stay for the next try, and the failure is warned once.
    await reporter.forceFlush();
    await reporter.forceFlush();
    expect(reporter.buffered).toBe(5);
    expect(logger.warnings.filter((m) => m.includes('cannot deliver usage records'))).toHaveLength(1);
    await reporter.shutdown();
    await reporter.shutdown();
    expect(logger.warnings.some((m) => m.includes('5 usage records could not be delivered'))).toBe(true);
    reporter.sink(finished('after-shutdown'));
    expect(reporter.buffered).toBe(5);
  });

  it('rejects invalid options with exact messages', () => {
    expect(() => new UsageReporter({ url: 'http://127.0.0.1:1', maxBufferedRecords: 0, logger: collectingLogger() })).toThrow(
      'tokenmeter: maxBufferedRecords must be a positive number, got 0',
    );
  });
});
