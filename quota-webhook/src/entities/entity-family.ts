/**
 * One family of configuration entities (quotas, budgets, prices, providers,
 * directory entries, …): JSON values in the store's `entities` table under
 * the family's kind, cached in memory and read through a read-only view.
 * Every change goes to the store, then the cache, then the audit log, then
 * the family's listeners, so nothing can change one without the others.
 * Replicas on one database see each other's changes through `reload(id)`
 * (the store's change feed): the cache and the cache listeners follow, the
 * change listeners (side effects already done by the writing replica) don't.
 */
import type { AuditLog } from '../audit.js';
import type { Store } from '../store/types.js';
import { ReloadGuard } from './reload-guard.js';

/** A change a listener hears: the new value (absent on delete) and the old one (absent on create). */
export interface EntityChange<T> {
  id: string;
  value?: T;
  previous?: T;
  actor: string;
}

export type EntityListener<T> = (change: EntityChange<T>) => Promise<void> | void;

/** Every family of each store, by kind: where another replica's change is routed. */
const FAMILIES = new WeakMap<Store, Map<string, EntityFamily<unknown>>>();

export class EntityFamily<T> {
  private _items = new Map<string, T>();
  private readonly _listeners: Array<EntityListener<T>> = [];
  private readonly _cacheListeners: Array<() => void> = [];

  constructor(
    /** The store kind and the audit kind. */
    readonly kind: string,
    private readonly _store: Store,
    private readonly _audit: AuditLog,
  ) {
    let byKind = FAMILIES.get(_store);
    if (!byKind) FAMILIES.set(_store, (byKind = new Map()));
    byKind.set(kind, this as EntityFamily<unknown>);
  }

  /** The families created over `store`, by kind. */
  static of(store: Store): ReadonlyMap<string, EntityFamily<unknown>> {
    return FAMILIES.get(store) ?? new Map();
  }

  /**
   * (Re)reads the whole family from the store. An entity written or reloaded here while the read is under
   * way keeps its cached value: the read may have happened before that change (a replica resyncing after
   * a lost connection while its API takes writes), and must not put the older value back.
   */
  async load(): Promise<void> {
    this._items = await this._reloads.reload(() => this._store.listEntities<T>(this.kind), () => this._items);
    this._cacheChanged();
  }

  /** Re-reads one entity another replica changed. */
  async reload(id: string): Promise<void> {
    const value = await this._store.getEntity<T>(this.kind, id);
    if (value === undefined) this._items.delete(id);
    else this._items.set(id, value);
    this._changed(id);
  }

  private readonly _reloads = new ReloadGuard();

  private _changed(id: string): void {
    this._reloads.changed(id);
    this._cacheChanged();
  }

  /** Called whenever the cache changes, here or by a reload (derived caches: a catalog, a feed). */
  onCacheChange(listener: () => void): void {
    this._cacheListeners.push(listener);
  }

  private _cacheChanged(): void {
    for (const l of this._cacheListeners) l();
  }

  /** The current entities, read-only. */
  get view(): ReadonlyMap<string, Readonly<T>> {
    return this._items;
  }

  get(id: string): Readonly<T> | undefined {
    return this._items.get(id);
  }

  has(id: string): boolean {
    return this._items.has(id);
  }

  get size(): number {
    return this._items.size;
  }

  /** Every entity, in id order. */
  list(): Array<Readonly<T>> {
    return [...this._items.values()];
  }

  /** Called after every change (sequentially, in registration order). */
  onChange(listener: EntityListener<T>): void {
    this._listeners.push(listener);
  }

  /** Stores `value` under `id` and audits it as `action` (e.g. `create`, `update`, `put`). */
  async put(id: string, value: T, actor: string, action: string): Promise<void> {
    const previous = this._items.get(id);
    await this._store.putEntity(this.kind, id, value);
    this._items.set(id, value);
    this._changed(id);
    await this._audit.record({ kind: this.kind, action, actor, subject: id, data: value });
    await this._notify({ id, value, ...(previous !== undefined ? { previous } : {}), actor });
  }

  /** Removes `id`; returns the removed value (audited), or undefined when there was none. */
  async delete(id: string, actor: string): Promise<T | undefined> {
    const previous = this._items.get(id);
    if (previous === undefined) return undefined;
    await this._store.deleteEntity(this.kind, id);
    this._items.delete(id);
    this._changed(id);
    await this._audit.record({ kind: this.kind, action: 'delete', actor, subject: id, data: previous });
    await this._notify({ id, previous, actor });
    return previous;
  }

  private async _notify(change: EntityChange<T>): Promise<void> {
    for (const l of this._listeners) await l(change);
  }
}
