import { describe, expect, it } from 'vitest';
import { PendingCalls, type PendingCall } from '../../src/control/pending-calls.js';
import { WindowTotal, windowStart } from '../../src/control/window-total.js';

function call(id: string, tokens = 1): PendingCall<string> {
  return { id, counter: 'c', hourStartMs: 0, dayStartMs: 0, tokens, ackedAtMs: undefined, removed: false };
}

describe('PendingCalls', () => {
  it('keeps calls oldest first, replaces an id, and gives up the oldest live call first', () => {
    const pending = new PendingCalls<string>();
    for (const id of ['a', 'b', 'c']) pending.add(call(id));
    pending.add(call('a', 5)); // a retried record: the newest now
    const seen: string[] = [];
    pending.forEachOldestFirst((entry) => seen.push(`${entry.id}${entry.tokens}`));
    expect(seen).toEqual(['b1', 'c1', 'a5']);
    expect(pending.size).toBe(3);
    expect(pending.shiftOldest()?.id).toBe('b');
    expect(pending.get('b')).toBeUndefined();
    expect(pending.size).toBe(2);
  });

  it('lets the visitor remove the entry it is given and stays in order across compactions', () => {
    const pending = new PendingCalls<string>();
    for (let i = 0; i < 5000; i++) pending.add(call(`c${i}`));
    for (let i = 0; i < 3000; i++) expect(pending.shiftOldest()?.id).toBe(`c${i}`);
    pending.forEachOldestFirst((entry) => {
      if (Number(entry.id.slice(1)) % 2 === 0) pending.remove(entry);
    });
    expect(pending.size).toBe(1000);
    expect(pending.shiftOldest()?.id).toBe('c3001');
    pending.forEachOldestFirst((entry) => pending.remove(entry));
    expect(pending.size).toBe(0);
    expect(pending.shiftOldest()).toBeUndefined();
  });
});

describe('WindowTotal', () => {
  it('reads as zero for another window and starts over when a call lands in a new one', () => {
    const total = new WindowTotal();
    total.addIn(1000, 7);
    total.addIn(1000, 3);
    expect([total.requestsIn(1000), total.tokensIn(1000), total.requestsIn(2000)]).toEqual([2, 10, 0]);
    total.addIn(2000, 4);
    expect([total.requestsIn(2000), total.tokensIn(2000), total.requestsIn(1000)]).toEqual([1, 4, 0]);
  });

  it('aligns windows on the anchor', () => {
    expect(windowStart(Date.parse('2026-03-01T12:30:00Z'), 0, 3_600_000)).toBe(Date.parse('2026-03-01T12:00:00Z'));
    // A day anchored at 05:00 UTC (a control plane in UTC-5).
    expect(windowStart(Date.parse('2026-03-01T03:00:00Z'), 5 * 3_600_000, 86_400_000)).toBe(Date.parse('2026-02-28T05:00:00Z'));
  });
});
