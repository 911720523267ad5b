/**
 * The price catalog the call pipeline prices with: the bundled catalog until
 * the control link installs the control plane's price table with `setCatalog`.
 */
import { PriceCatalog } from '../pricing/index.js';

let catalog: PriceCatalog | undefined;

/** The catalog in force (the bundled one, built on first use, unless replaced). */
export function currentCatalog(): PriceCatalog {
  catalog ??= PriceCatalog.bundled();
  return catalog;
}

/** Replaces the catalog for calls finished from now on. */
export function setCatalog(next: PriceCatalog): void {
  catalog = next;
}
