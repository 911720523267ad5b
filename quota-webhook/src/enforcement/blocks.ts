/**
 * The active block set (persisted, cached in memory). Ids are derived from
 * what caused the block, so a repeated cause maps to the same block and
 * changes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EnforcementBlock, QuotaScope } from '@tokenmeter/instrumentation/protocol';
import type { AuditLog } from '../audit.js';
import { ReloadGuard } from '../entities/reload-guard.js';
import type { Store } from '../store/types.js';

/** A block as stored: the wire block plus what the receiver needs. */
export interface StoredBlock extends EnforcementBlock {
  /** The alert's `startsAt` (quota/alert blocks). */
  alert_starts_at?: string;
  alertname?: string;
}

export function blockId(parts: string[]): string {
  return `blk-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20)}`;
}

export function manualBlockId(): string {
  return `blk-m-${randomUUID()}`;
}

export class BlockSet {
  private _blocks = new Map<string, StoredBlock>();
  /** Keeps what changed during a reload: every change below tells it. */
  private readonly _reloads = new ReloadGuard();

  constructor(
    private readonly _store: Store,
    private readonly _audit: AuditLog,
    private readonly _onChange: () => Promise<void>,
  ) {}

  /**
   * (Re)reads every block. The blocks in force stay in force while the store is read (enforcement never
   * sees an empty set during a resync), and a block added, changed, lifted or reloaded meanwhile keeps its
   * newer state: the read may predate it.
   */
  async load(): Promise<void> {
    this._blocks = await this._reloads.reload(() => this._store.listEntities<StoredBlock>('block'), () => this._blocks);
  }

  /** Re-reads one block another replica changed (no audit: that replica wrote it). */
  async reload(id: string): Promise<void> {
    const block = await this._store.getEntity<StoredBlock>('block', id);
    if (block === undefined) this._blocks.delete(id);
    else this._blocks.set(id, block);
    this._reloads.changed(id);
    await this._onChange();
  }

  get(id: string): StoredBlock | undefined {
    return this._blocks.get(id);
  }

  list(): StoredBlock[] {
    return [...this._blocks.values()].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.id < b.id ? -1 : 1));
  }

  countByScope(): Map<QuotaScope, number> {
    const m = new Map<QuotaScope, number>();
    for (const b of this._blocks.values()) m.set(b.scope, (m.get(b.scope) ?? 0) + 1);
    return m;
  }

  /** Adds the block unless one with its id exists; returns whether it was added. Audited. */
  async add(block: StoredBlock, actor: string, reason: string): Promise<boolean> {
    if (this._blocks.has(block.id)) return false;
    // Claim the id before the first await so a concurrent duplicate sees it.
    this._blocks.set(block.id, block);
    this._reloads.changed(block.id);
    try {
      await this._store.putEntity('block', block.id, block);
    } catch (error) {
      this._blocks.delete(block.id);
      throw error;
    }
    await this._audit.record({ kind: 'block', action: 'block', actor, subject: `${block.scope}:${block.subject}`, reason, data: block });
    await this._onChange();
    return true;
  }

  /** Updates a block in place without an audit record (e.g. a moved reset time). */
  async update(block: StoredBlock): Promise<void> {
    if (!this._blocks.has(block.id)) return;
    await this._store.putEntity('block', block.id, block);
    this._blocks.set(block.id, block);
    this._reloads.changed(block.id);
    await this._onChange();
  }

  /** Removes the block; returns whether it existed. Audited. */
  async remove(id: string, actor: string, reason: string): Promise<boolean> {
    const block = this._blocks.get(id);
    if (!block) return false;
    this._blocks.delete(id);
    this._reloads.changed(id);
    try {
      await this._store.deleteEntity('block', id);
    } catch (error) {
      this._blocks.set(id, block);
      throw error;
    }
    await this._audit.record({ kind: 'block', action: 'unblock', actor, subject: `${block.scope}:${block.subject}`, reason, data: block });
    await this._onChange();
    return true;
  }
}

/** The wire form (protocol.ts `EnforcementBlock`) of a stored block. */
export function wireBlock(b: StoredBlock): EnforcementBlock {
  const { alert_starts_at: _a, alertname: _n, ...wire } = b;
  return wire;
}
