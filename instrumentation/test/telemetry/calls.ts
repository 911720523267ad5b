/** Synthetic finished calls for the telemetry tests. */
import type { FinishedCall } from '../../src/core/hooks.js';

let next = 0;

export function finishedCall(overrides: Partial<FinishedCall> = {}): FinishedCall {
  return {
    id: (next++).toString(16).padStart(16, '0'),
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4.1-mini',
    responseModel: 'gpt-4.1-mini',
    streaming: false,
    attribution: { org: 'acme', feature: 'answers', user: 'u1' },
    startTimeMs: Date.parse('2026-11-01T12:00:00Z'),
    durationMs: 300,
    tokens: { input: 100, output: 20, cache_read: 50, cache_write: 10, reasoning: 5 },
    outcome: 'ok',
    cost: { priced: true, costPicoUsd: 125_000_000n, costUsd: 0.000125 },
    ...overrides,
  };
}

/** Metric family names (`# TYPE name type`) of a Prometheus text exposition. */
export function families(exposition: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(match[1] as string, match[2] as string);
  return out;
}
