/**
 * A whole-cache reload that does not undo the changes made while it reads the
 * store (a replica resyncing after a lost change feed while its API takes
 * writes): the read may predate them, so an entry changed meanwhile keeps its
 * cached state. Used by the entity families and the block set.
 */
export class ReloadGuard {
  /** The ids changed during each reload in flight. */
  private readonly _reloads = new Set<Set<string>>();

  /** Says that `id` changed in the cache (written, deleted or reloaded on its own). */
  changed(id: string): void {
    for (const ids of this._reloads) ids.add(id);
  }

  /** The entries `read` returns, with those changed during the read as the cache (`current()`, after the read) holds them (absent if deleted). */
  async reload<T>(read: () => Promise<Array<{ id: string; value: T }>>, current: () => ReadonlyMap<string, T>): Promise<Map<string, T>> {
    const changedMeanwhile = new Set<string>();
    this._reloads.add(changedMeanwhile);
    let rows: Array<{ id: string; value: T }>;
    try {
      rows = await read();
    } finally {
      this._reloads.delete(changedMeanwhile);
    }
    const next = new Map<string, T>();
    for (const { id, value } of rows) if (!changedMeanwhile.has(id)) next.set(id, value);
    const cache = current();
    for (const id of changedMeanwhile) {
      const value = cache.get(id);
      if (value !== undefined) next.set(id, value);
    }
    return next;
  }
}
