/**
 * The time zones whose calendar windows the running totals keep: UTC and
 * every quota's and budget's zone. A zone added later has its totals rebuilt
 * from the records, so a new quota sees the usage from before it existed.
 */
import type { Store } from '../store/types.js';
import type { Ledger } from './ledger.js';

export class TimeZones {
  private _zones: string[] = ['UTC'];

  constructor(
    private readonly _store: Store,
    private readonly _ledger: () => Ledger,
    private readonly _onInfo: (message: string, data?: object) => void,
  ) {}

  /** (Re)reads the zones; a zone added here while the store is read stays (the read may predate it). */
  async load(): Promise<void> {
    const before = this._zones;
    const stored = await this._store.getMeta('timezones');
    const zones = stored ? (JSON.parse(stored) as string[]) : ['UTC'];
    const addedMeanwhile = this._zones.filter((tz) => !before.includes(tz) && !zones.includes(tz));
    this._zones = [...zones, ...addedMeanwhile];
  }

  list(): readonly string[] {
    return this._zones;
  }

  /** Adds the zones not yet kept, rebuilding their totals from the records. */
  async ensure(zones: Iterable<string>): Promise<void> {
    const added = [...new Set(zones)].filter((tz) => !this._zones.includes(tz));
    if (added.length === 0) return;
    this._zones = [...this._zones, ...added];
    await this._store.setMeta('timezones', JSON.stringify(this._zones));
    await this._store.publish('meta', 'timezones');
    const r = await this._ledger().rebuildTotals(added);
    this._onInfo('rebuilt totals for new time zones', { timezones: added, ...r });
  }
}
