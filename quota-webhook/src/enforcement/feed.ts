/**
 * The enforcement feed: blocks, provider states and their exact usage, as one
 * `EnforcementState` snapshot with a revision that increases on every change
 * (persisted, so it keeps increasing across restarts). Usage changes are
 * coalesced; block and provider changes apply at once.
 */
import type { EnforcementBlock, EnforcementState, ProviderState } from '@tokenmeter/instrumentation/protocol';
import type { Store } from '../store/types.js';

export type StateListener = (state: EnforcementState) => void;

export interface FeedSources {
  blocks(): EnforcementBlock[];
  providers(nowMs: number): Promise<ProviderState[]>;
}

export class EnforcementFeed {
  private _revision = 0;
  private _state: EnforcementState | undefined;
  private _content = '';
  private readonly _listeners = new Set<StateListener>();
  private _timer: NodeJS.Timeout | undefined;
  private _running: Promise<void> | undefined;
  private _again = false;
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

  /** Recomputes now (block/provider changes); bumps the revision if anything changed. */
  async refresh(): Promise<void> {
    if (this._running) {
      this._again = true;
      return this._running;
    }
    this._running = this._compute().finally(() => {
      this._running = undefined;
    });
    await this._running;
    if (this._again) {
      this._again = false;
      await this.refresh();
    }
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
    const content = JSON.stringify({ blocks, providers });
    if (content === this._content && this._state) return;
    this._content = content;
    this._revision++;
    await this._store.setMeta('revision', String(this._revision));
    this._state = { revision: this._revision, generated_at: new Date(now).toISOString(), blocks, providers };
    for (const l of this._listeners) {
      try {
        l(this._state);
      } catch (error) {
        this._onError(error);
      }
    }
  }
}
