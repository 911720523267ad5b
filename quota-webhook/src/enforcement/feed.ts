/**
 * The enforcement feed: blocks, provider states and their exact usage, as one
 * `EnforcementState` snapshot with a revision that increases on every change
 * (persisted, so it keeps increasing across restarts). Usage changes are
 * coalesced; block and provider changes apply at once.
 */
import type { EnforcementBlock, EnforcementState, ProviderState } from '@tokenmeter/instrumentation/protocol';
import type { Store } from '../store/types.js';

/** Called on every new revision; `blocksChanged` = the block set changed (urgent: SSE sends it without coalescing). */
export type StateListener = (state: EnforcementState, blocksChanged: boolean) => void;

export interface FeedSources {
  blocks(): EnforcementBlock[];
  providers(nowMs: number): Promise<ProviderState[]>;
}

export class EnforcementFeed {
  private _revision = 0;
  private _state: EnforcementState | undefined;
  private _content = '';
  private _blocksContent = '';
  private readonly _listeners = new Set<StateListener>();
  private _timer: NodeJS.Timeout | undefined;
  private _running: Promise<void> | undefined;
  private _next: Promise<void> | undefined;
  private _closed = false;

  constructor(
    private readonly _store: Store,
    private readonly _sources: FeedSources,
    private readonly _clock: () => number,
    private readonly _coalesceMillis: number,
    private readonly _onError: (error: unknown) => void,
  ) {}

  async init(): Promise<void> {
    this._revision = Number((await this._store.getMeta('revision')) ?? '0');
    await this.refresh();
  }

  get revision(): number {
    return this._revision;
  }

  /** The current snapshot. */
  state(): EnforcementState {
    return this._state ?? { revision: this._revision, generated_at: new Date(this._clock()).toISOString(), blocks: [], providers: [] };
  }

  subscribe(listener: StateListener): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /**
   * Recomputes now (block/provider changes); bumps the revision if anything
   * changed. Resolves only once a computation that started after this call
   * has finished, so a caller that changed a block sees it in `state()`.
   */
  refresh(): Promise<void> {
    if (this._next) return this._next;
    if (!this._running) return this._start();
    // A run is in progress and may have read the sources before the caller's change: queue one more run (shared by every caller meanwhile).
    const again = (): Promise<void> => {
      this._next = undefined;
      return this._start();
    };
    this._next ??= this._running.then(again, again);
    return this._next;
  }

  private _start(): Promise<void> {
    const run = this._compute().finally(() => {
      if (this._running === run) this._running = undefined;
    });
    this._running = run;
    return run;
  }

  /** Recomputes within the coalescing interval (usage changes). */
  schedule(): void {
    if (this._timer || this._closed) return;
    this._timer = setTimeout(() => {
      this._timer = undefined;
      this.refresh().catch(this._onError);
    }, this._coalesceMillis);
    this._timer.unref();
  }

  close(): void {
    this._closed = true;
    if (this._timer) clearTimeout(this._timer);
    this._listeners.clear();
  }

  private async _compute(): Promise<void> {
    const now = this._clock();
    const blocks = this._sources.blocks();
    const providers = await this._sources.providers(now);
    const blocksContent = JSON.stringify(blocks);
    const content = `${blocksContent}\u0000${JSON.stringify(providers)}`;
    if (content === this._content && this._state) return;
    const blocksChanged = blocksContent !== this._blocksContent;
    this._content = content;
    this._blocksContent = blocksContent;
    // One counter in the store for every replica: no two different states ever share a revision (the ETag).
    this._revision = await this._store.incrementMeta('revision');
    this._state = { revision: this._revision, generated_at: new Date(now).toISOString(), blocks, providers };
    for (const l of this._listeners) {
      try {
        l(this._state, blocksChanged);
      } catch (error) {
        this._onError(error);
      }
    }
  }
}
