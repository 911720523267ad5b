/**
 * Calls this process finished that the control plane's totals may not
 * include yet, by call id and oldest first: an acknowledgement marks one, a
 * state generated after the acknowledgement retires it, and a full table
 * gives up its oldest call (which then stays counted until its window ends).
 */
/** One finished call, counted locally. */
export interface PendingCall<C> {
  readonly id: string;
  /** The counter (org, provider) it counts in. */
  readonly counter: C;
  /** Start of the hour and of the day the call counts in (two numbers, not an object: one entry per call). */
  readonly hourStartMs: number;
  readonly dayStartMs: number;
  readonly tokens: number;
  /** When the control plane acknowledged storing it; undefined until then. */
  ackedAtMs: number | undefined;
  /** Retired or replaced: skipped wherever the order list still holds it. */
  removed: boolean;
}

export class PendingCalls<C> {
  private readonly _byId = new Map<string, PendingCall<C>>();
  /** Entries oldest first; removed ones stay until compaction and are skipped. */
  private _order: PendingCall<C>[] = [];
  private _head = 0;

  get size(): number {
    return this._byId.size;
  }

  get(id: string): PendingCall<C> | undefined {
    return this._byId.get(id);
  }

  /** Adds a call as the newest, retiring an earlier entry of the same id. */
  add(entry: PendingCall<C>): void {
    const previous = this._byId.get(entry.id);
    if (previous !== undefined) this.remove(previous);
    this._byId.set(entry.id, entry);
    this._order.push(entry);
  }

  remove(entry: PendingCall<C>): void {
    entry.removed = true;
    if (this._byId.get(entry.id) === entry) this._byId.delete(entry.id);
    if (this._byId.size === 0) {
      this._order = [];
      this._head = 0;
    }
  }

  /** Every entry, in no particular order. */
  values(): IterableIterator<PendingCall<C>> {
    return this._byId.values();
  }

  /** Calls `fn` with every entry, oldest first; `fn` may remove the entry it is given. */
  forEachOldestFirst(fn: (entry: PendingCall<C>) => void): void {
    const order = this._order;
    for (let i = this._head; i < order.length; i++) {
      const entry = order[i]!;
      if (!entry.removed) fn(entry);
    }
  }

  /** Removes and returns the oldest entry. */
  shiftOldest(): PendingCall<C> | undefined {
    let oldest: PendingCall<C> | undefined;
    while (this._head < this._order.length) {
      const entry = this._order[this._head++]!;
      if (!entry.removed) {
        oldest = entry;
        break;
      }
    }
    this._compact();
    if (oldest !== undefined) this.remove(oldest);
    return oldest;
  }

  private _compact(): void {
    if (this._head > 1024 && this._head * 2 > this._order.length) {
      this._order = this._order.slice(this._head).filter((entry) => !entry.removed);
      this._head = 0;
    }
  }
}
