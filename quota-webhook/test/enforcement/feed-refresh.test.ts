/** EnforcementFeed.refresh(): a caller that changed something sees it in the state once its refresh resolves, even while another refresh runs. */
import type { EnforcementBlock, ProviderState } from '@tokenmeter/instrumentation/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnforcementFeed } from '../../src/enforcement/feed.js';
import { SqliteStore } from '../../src/store/sqlite.js';

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

const block = (subject: string): EnforcementBlock => ({ id: `b-${subject}`, scope: 'user', subject, reason: 'manual', since: '2026-03-15T12:00:00.000Z' });

describe('EnforcementFeed.refresh', () => {
  it('a refresh called during a running one resolves only after a run that saw the caller\'s change', async () => {
    const blocks: EnforcementBlock[] = [];
    const gates: Array<() => void> = [];
    let slow = false;
    const providers = (): Promise<ProviderState[]> => (slow ? new Promise((resolve) => gates.push(() => resolve([]))) : Promise.resolve([]));
    const feed = new EnforcementFeed(store, { blocks: () => [...blocks], providers }, () => 0, 50, (e) => { throw e; });
    await feed.init();
    const seen: number[] = [];
    feed.subscribe((s) => seen.push(s.blocks.length));

    slow = true;
    blocks.push(block('a'));
    const first = feed.refresh(); // reads blocks [a], then waits in providers()
    blocks.push(block('b'));
    let secondDone = false;
    const second = feed.refresh().then(() => { secondDone = true; });
    const third = feed.refresh(); // shares the queued run
    gates.shift()!(); // the first run finishes, without b
    await first;
    expect(feed.state().blocks.map((b) => b.subject)).toEqual(['a']);
    await new Promise((r) => setImmediate(r));
    expect(secondDone).toBe(false); // the queued run is still waiting for providers()
    gates.shift()!();
    await second;
    await third;
    expect(feed.state().blocks.map((b) => b.subject)).toEqual(['a', 'b']);
    expect(gates).toEqual([]); // two runs in all, not three
    expect(seen).toEqual([1, 2]);
    feed.close();
  });

  it('bumps the revision only when the content changed, and persists it', async () => {
    const blocks: EnforcementBlock[] = [];
    const feed = new EnforcementFeed(store, { blocks: () => [...blocks], providers: async () => [] }, () => 0, 50, (e) => { throw e; });
    await feed.init();
    const r0 = feed.revision;
    await feed.refresh();
    expect(feed.revision).toBe(r0);
    blocks.push(block('x'));
    await feed.refresh();
    expect(feed.revision).toBe(r0 + 1);
    expect(await store.getMeta('revision')).toBe(String(r0 + 1));
    feed.close();
  });
});
