/**
 * Keeps quota blocks in step with their quota and their period: a changed
 * quota's blocks follow its new settings at once, a deleted quota's blocks
 * lift, and at a period reset a block lifts when the ledger shows the new
 * window under the limit (otherwise its reset time moves on). All audited.
 */
import type { QuotaSet } from '../quotas/quota-set.js';
import { subjectUsage } from '../quotas/evaluate.js';
import type { Quota } from '../quotas/model.js';
import { nextWindowStart } from '../quotas/periods.js';
import type { Store } from '../store/types.js';
import type { BlockSet } from './blocks.js';

export class QuotaBlocks {
  private _resetRunning = false;

  constructor(
    private readonly _store: Store,
    private readonly _blocks: BlockSet,
    private readonly _quotas: QuotaSet,
    private readonly _clock: () => number,
  ) {}

  /**
   * A changed quota's blocks: made soft, no longer covering the subject, or a
   * limit now above the ledger's usage → lifted; otherwise the block's limit,
   * usage and reset are updated. (Prometheus would resolve the alert too, but
   * a resolved alert only lifts a block the ledger confirms, and a hard →
   * soft change leaves usage over.)
   */
  async quotaChanged(q: Quota, actor: string): Promise<void> {
    for (const b of this._blocks.list()) {
      if (b.quota_id !== q.id) continue;
      if (q.enforcement === 'soft') {
        await this._blocks.remove(b.id, actor, `quota ${q.id} is now soft`);
        continue;
      }
      if (b.scope !== q.scope || (q.subject !== '*' && q.subject !== b.subject)) {
        await this._blocks.remove(b.id, actor, `quota ${q.id} no longer covers ${b.scope} ${b.subject}`);
        continue;
      }
      const status = await subjectUsage(this._store, q, b.subject, this._clock());
      if (status.usage_exact < status.limit_exact) {
        await this._blocks.remove(b.id, actor, `quota ${q.id} changed: the ledger shows usage ${status.usage} < limit ${status.limit}`);
      } else {
        await this._blocks.update({ ...b, metric: q.metric, limit: status.limit, usage: status.usage, reset_at: new Date(status.next_reset).toISOString() });
      }
    }
  }

  async quotaDeleted(id: string, actor: string): Promise<void> {
    for (const b of this._blocks.list()) {
      if (b.quota_id === id) await this._blocks.remove(b.id, actor, `quota ${id} deleted`);
    }
  }

  /** Lifts quota blocks whose reset time has passed when the new window is under the limit (audited); otherwise moves their reset time. */
  async checkResets(): Promise<void> {
    if (this._resetRunning) return;
    this._resetRunning = true;
    try {
      const now = this._clock();
      for (const b of this._blocks.list()) {
        if (b.reset_at === undefined || Date.parse(b.reset_at) > now) continue;
        const q = b.quota_id !== undefined ? this._quotas.find(b.quota_id) : undefined;
        if (!q) {
          await this._blocks.remove(b.id, 'system', b.quota_id === undefined ? `reset time ${b.reset_at} reached` : `period reset: quota ${b.quota_id} no longer exists`);
          continue;
        }
        const status = await subjectUsage(this._store, q, b.subject, now);
        if (status.usage_exact < status.limit_exact) {
          await this._blocks.remove(b.id, 'system', `period reset: usage ${status.usage} < limit ${status.limit} in the window from ${new Date(status.window_start).toISOString()}`);
        } else {
          await this._blocks.update({ ...b, usage: status.usage, reset_at: new Date(nextWindowStart(q.period, now, q.timezone)).toISOString() });
        }
      }
    } finally {
      this._resetRunning = false;
    }
  }
}
