/**
 * Admin price entries and the effective catalog (bundled + admin + org
 * overrides) the ledger prices with. A change is validated against the whole
 * table before it is stored: a bad entry never reaches the catalog.
 */
import { PriceCatalog } from '@tokenmeter/instrumentation/pricing';
import type { PriceEntry } from '@tokenmeter/instrumentation/pricing';
import type { AuditLog } from '../audit.js';
import { EntityFamily } from '../entities/entity-family.js';
import type { Store } from '../store/types.js';

export class Prices {
  readonly entries: EntityFamily<PriceEntry>;
  private _catalog: PriceCatalog = PriceCatalog.bundled();

  constructor(store: Store, audit: AuditLog) {
    this.entries = new EntityFamily<PriceEntry>('price', store, audit);
    this.entries.onCacheChange(() => {
      this._catalog = Prices.catalogWith(this.entries.list());
    });
  }

  /** The bundled catalog with `entries` on top; throws `PriceCatalogError` naming the bad field. */
  static catalogWith(entries: readonly PriceEntry[]): PriceCatalog {
    return PriceCatalog.bundled().withEntries([...entries]);
  }

  async load(): Promise<void> {
    await this.entries.load();
  }

  /** The effective catalog. */
  get catalog(): PriceCatalog {
    return this._catalog;
  }

  /** Validates the whole table with `entry` set (throws `PriceCatalogError`), then stores it. */
  async put(entry: PriceEntry, actor: string, action: 'create' | 'update'): Promise<void> {
    Prices.catalogWith([...this.entries.list().filter((e) => e.id !== entry.id), entry]);
    await this.entries.put(entry.id, entry, actor, action);
  }

  async delete(id: string, actor: string): Promise<boolean> {
    return (await this.entries.delete(id, actor)) !== undefined;
  }
}
