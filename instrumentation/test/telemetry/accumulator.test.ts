import { describe, expect, it } from 'vitest';
import { Accumulator } from '../../src/telemetry/accumulator.js';
import { finishedCall } from './calls.js';

describe('Accumulator', () => {
  it('shares one series between equal attributions held in different objects', () => {
    const acc = new Accumulator({ userCardinalityLimit: 10 });
    acc.record(finishedCall({ attribution: { org: 'acme', user: 'u1' } }));
    acc.record(finishedCall({ attribution: { org: 'acme', user: 'u1' } }));
    const shared = { org: 'acme', user: 'u1' };
    acc.record(finishedCall({ attribution: shared }));
    acc.record(finishedCall({ attribution: shared, responseModel: 'gpt-4.1-mini-2025-04-14' }));
    acc.record(finishedCall({ attribution: shared }));
    expect(acc.series.size).toBe(2);
    const [first, second] = [...acc.series.values()];
    expect(first?.outcomes.get('ok')?.requests).toBe(4);
    expect(second?.outcomes.get('ok')?.requests).toBe(1);
    expect(first?.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.response.model': 'gpt-4.1-mini',
      'tokenmeter.org': 'acme',
      'user.id': 'u1',
    });
  });

  it('keeps calls that alternate models, operations and providers under one attribution in their own series', () => {
    const acc = new Accumulator({ userCardinalityLimit: 10 });
    const shared = { org: 'acme', user: 'u1' };
    const kinds = [
      { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' },
      { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18' },
      // Same response model, another request model / operation / provider: each its own series.
      { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-latest', responseModel: 'gpt-4o-2024-08-06' },
      { provider: 'openai', operation: 'embeddings', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' },
      { provider: 'azure.ai.openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' },
      { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: undefined },
    ];
    for (let i = 0; i < 60; i++) acc.record(finishedCall({ attribution: shared, ...kinds[i % kinds.length]! }));
    expect(acc.series.size).toBe(kinds.length);
    for (const kind of kinds) {
      const series = [...acc.series.values()].find(
        (s) =>
          s.attributes['gen_ai.provider.name'] === kind.provider &&
          s.attributes['gen_ai.operation.name'] === kind.operation &&
          s.attributes['gen_ai.request.model'] === kind.requestModel &&
          s.attributes['gen_ai.response.model'] === kind.responseModel,
      );
      expect(series?.outcomes.get('ok')?.requests, JSON.stringify(kind)).toBe(10);
    }
  });

  it('sums disjoint token types and records semconv histograms (input with cache, output with reasoning)', () => {
    const acc = new Accumulator({ userCardinalityLimit: 10 });
    acc.record(finishedCall());
    acc.record(finishedCall({ operation: 'embeddings', tokens: { input: 7, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 } }));
    const [chat, embeddings] = [...acc.series.values()];
    expect(chat?.tokens).toEqual([100, 20, 50, 10, 5]);
    expect(chat?.inputTokens.sum).toBe(160);
    expect(chat?.outputTokens.sum).toBe(25);
    // 160 lands in the (64, 256] bucket: index 4 of the 14 boundaries.
    expect(chat?.inputTokens.counts[4]).toBe(1);
    expect(embeddings?.inputTokens.count).toBe(1);
    expect(embeddings?.outputTokens.count).toBe(0);
  });

  it('keeps failed calls without usage out of the token histograms and separates error types', () => {
    const acc = new Accumulator({ userCardinalityLimit: 10 });
    const none = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
    acc.record(finishedCall({ outcome: 'error', errorType: '429', tokens: none }));
    acc.record(finishedCall({ outcome: 'error', errorType: '500', tokens: none }));
    acc.record(finishedCall({ outcome: 'blocked', tokens: none, cost: { priced: false, costPicoUsd: 0n, costUsd: 0 } }));
    const [series] = [...acc.series.values()];
    expect(series?.inputTokens.count).toBe(0);
    expect([...(series?.outcomes.values() ?? [])].map((o) => o.requestAttributes['error.type'] ?? o.requestAttributes['tokenmeter.outcome'])).toEqual(['429', '500', 'blocked']);
    // A refused call is not an unpriced one.
    expect(series?.unpriced).toBe(0);
  });

  it('bounds distinct users: later users fold into the user-less series, counted, reported once', () => {
    const reports: number[] = [];
    const acc = new Accumulator({ userCardinalityLimit: 2, onFirstOverflow: (limit) => reports.push(limit) });
    for (const user of ['a', 'b', 'c', 'd', 'a', 'c']) acc.record(finishedCall({ attribution: { org: 'acme', user } }));
    expect([...acc.series.values()].map((s) => s.attributes['user.id'] ?? '(none)')).toEqual(['a', 'b', '(none)']);
    expect(acc.overflowCalls).toBe(3);
    expect(reports).toEqual([2]);
  });
});
