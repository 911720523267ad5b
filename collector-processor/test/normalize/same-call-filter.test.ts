import { describe, expect, it } from 'vitest';
import type { GenAiCall } from '../../src/index.js';
import { SameCallFilter } from '../../src/normalize/same-call-filter.js';

const call = (startMs: number, durationMs: number, input = 10): GenAiCall => ({
  id: 'x',
  startMs,
  durationMs,
  provider: 'anthropic',
  operation: 'chat',
  requestModel: 'claude-haiku-4-5',
  responseModel: undefined,
  serviceTier: undefined,
  tokens: { input, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 },
  cacheWrite1hTokens: 0,
  attribution: {},
  outcome: 'ok',
  errorType: undefined,
});

describe('SameCallFilter', () => {
  it('counts a parent/child pair of GenAI spans once, whichever arrives first', () => {
    const f = new SameCallFilter();
    expect(f.admit('t1', 'child', 'parent')).toBe(true);
    expect(f.admit('t1', 'parent', '')).toBe(false);
    expect(f.admit('t2', 'p', '')).toBe(true);
    expect(f.admit('t2', 'c', 'p')).toBe(false);
    expect(f.admit('t3', 'other', 'p')).toBe(true);
  });

  it('counts overlapping equal usage from two scopes once, but two calls from one scope twice', () => {
    const f = new SameCallFilter();
    expect(f.admitCall(call(1000, 500), 'svc', 'com.anthropic.sdk.typescript')).toBe(true);
    expect(f.admitCall(call(990, 520), 'svc', '@traceloop/instrumentation-anthropic')).toBe(false);
    expect(f.admitCall(call(1000, 500), 'svc', 'com.anthropic.sdk.typescript')).toBe(true);
    expect(f.admitCall(call(5000, 500), 'svc', '@traceloop/instrumentation-anthropic')).toBe(true);
    expect(f.admitCall(call(1000, 500, 11), 'svc', 'other')).toBe(true);
  });
});
