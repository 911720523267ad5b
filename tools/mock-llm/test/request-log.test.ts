import { describe, expect, it } from 'vitest';
import { MockLlm } from '../src/index.js';

const chat = { method: 'POST', path: '/v1/chat/completions', headers: {}, signal: new AbortController().signal, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } };

describe('request log', () => {
  it('keeps only the newest maxLoggedRequests entries, in order', async () => {
    const mock = new MockLlm({ maxLoggedRequests: 5 });
    for (let i = 0; i < 23; i++) await mock.handle(chat);
    const seqs = mock.requests().map((r) => r.seq);
    expect(seqs).toEqual([19, 20, 21, 22, 23]);
  });
});
