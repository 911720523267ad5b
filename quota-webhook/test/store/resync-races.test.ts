/**
 * A replica resyncs after losing its change feed (everything reloaded from the store) while its own API
 * keeps taking writes: a reload whose read predates a write must not put the older state back, and the
 * blocks in force must stay in force while the store is read. Real SQLite, with its whole-family reads held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit.js';
import { BlockSet, type StoredBlock } from '../../src/enforcement/blocks.js';
import { EntityFamily } from '../../src/entities/entity-family.js';
import { TimeZones } from '../../src/ledger/time-zones.js';
import { SqliteStore } from '../../src/store/sqlite.js';

interface Held {
  store: SqliteStore;
  /** From now on, reads answer (with what they read at once) only when released. */
  hold(): void;
  release(): void;
}

function heldStore(): Held {
  const store = new SqliteStore(':memory:');
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const held = <A extends unknown[], R>(read: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const result = await read(...args);
    if (gate !== undefined) await gate;
    return result;
  };
  store.listEntities = held(store.listEntities.bind(store)) as typeof store.listEntities;
  store.getMeta = held(store.getMeta.bind(store));
  return {
    store,
    hold: () => { gate = new Promise<void>((resolve) => (open = resolve)); },
    release: () => { open?.(); gate = undefined; },
  };
}

const stores: SqliteStore[] = [];
async function opened(): Promise<Held> {
  const held = heldStore();
  stores.push(held.store);
  await held.store.init();
  return held;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const block = (id: string, subject: string): StoredBlock => ({ id, scope: 'user', subject, reason: 'manual', since: '2026-12-01T00:00:00Z' });

describe('reloading everything while changes land', () => {
  it('an entity family keeps what was written, deleted or reloaded during its read', async () => {
    const { store, hold, release } = await opened();
    const family = new EntityFamily<{ limit: number }>('quota', store, new AuditLog(store, () => 0));
    await family.put('kept', { limit: 1 }, 'admin', 'create');
    await family.put('deleted', { limit: 2 }, 'admin', 'create');
    await family.put('remote', { limit: 3 }, 'admin', 'create');

    hold();
    const loading = family.load(); // reads kept=1, deleted=2, remote=3
    await family.put('kept', { limit: 10 }, 'admin', 'update');
    await family.put('added', { limit: 20 }, 'admin', 'create');
    await family.delete('deleted', 'admin');
    await store.putEntity('quota', 'remote', { limit: 30 }); // another replica's write, then its notification
    await family.reload('remote');
    release();
    await loading;

    const expected = { kept: { limit: 10 }, added: { limit: 20 }, remote: { limit: 30 } };
    expect(Object.fromEntries(family.view)).toEqual(expected);
    await family.load(); // and that is what the store holds
    expect(Object.fromEntries(family.view)).toEqual(expected);
  });

  it('the blocks in force stay in force during the read; one added or lifted meanwhile keeps its new state', async () => {
    const { store, hold, release } = await opened();
    const blocks = new BlockSet(store, new AuditLog(store, () => 0), async () => undefined);
    await blocks.add(block('b-alice', 'alice'), 'admin', 'test');
    await blocks.add(block('b-bob', 'bob'), 'admin', 'test');

    hold();
    const loading = blocks.load(); // reads alice and bob
    await Promise.resolve();
    expect(blocks.list().map((b) => b.subject)).toEqual(['alice', 'bob']); // enforcement still sees them
    await blocks.add(block('b-carol', 'carol'), 'admin', 'test');
    await blocks.remove('b-bob', 'admin', 'test');
    release();
    await loading;

    expect(blocks.list().map((b) => b.subject)).toEqual(['alice', 'carol']);
    await blocks.load();
    expect(blocks.list().map((b) => b.subject)).toEqual(['alice', 'carol']);
  });

  it('a time zone added during the read stays kept', async () => {
    const { store, hold, release } = await opened();
    const zones = new TimeZones(store, () => ({ rebuildTotals: async () => ({}) }) as never, () => undefined);
    await zones.ensure(['Europe/Berlin']);

    hold();
    const loading = zones.load(); // reads UTC, Europe/Berlin
    const adding = zones.ensure(['Asia/Kolkata']); // its own write of the zone list is held behind the read
    release();
    await Promise.all([loading, adding]);

    expect(zones.list()).toEqual(['UTC', 'Europe/Berlin', 'Asia/Kolkata']);
    await zones.load();
    expect(zones.list()).toEqual(['UTC', 'Europe/Berlin', 'Asia/Kolkata']);
  });
});
