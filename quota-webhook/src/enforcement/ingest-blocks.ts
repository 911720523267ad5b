/**
 * Enforcement at ingest: the ledger knows a subject's exact total the moment
 * a batch lands, so a hard quota reached by that batch blocks at once,
 * without waiting for the Prometheus → Alertmanager round trip (which still
 * fires and pages; the receiver finds the same block id and changes
 * nothing). Only the current window counts (a late record for a past window
 * blocks nothing), and only lower bounds of usage are compared, so this
 * never blocks what the alert path would not.
 */
import type { QuotaSet } from '../quotas/quota-set.js';
import { exactLimit, limitFor } from '../quotas/evaluate.js';
import type { Quota } from '../quotas/model.js';
import { nextWindowStart, windowStart } from '../quotas/periods.js';
import type { TotalRow } from '../store/types.js';
import { blockId, type BlockSet } from './blocks.js';
import { picoToUsd } from '@tokenmeter/instrumentation/pricing';

function usageOf(q: Quota, t: TotalRow): bigint {
  return q.metric === 'cost' ? t.cost_pico : q.metric === 'tokens' ? t.tokens : BigInt(t.requests);
}

export class IngestBlocks {
  constructor(
    private readonly _quotas: QuotaSet,
    private readonly _blocks: BlockSet,
    private readonly _clock: () => number,
    private readonly _onError: (error: unknown) => void,
    private readonly _enabled = true,
  ) {}

  /** Whether enabled and any hard quota exists (ingest then asks the store for the touched totals). */
  get active(): boolean {
    return this._enabled && this._quotas.quotas.list().some((q) => q.enforcement === 'hard');
  }

  /** Blocks every (hard quota, subject) whose current window the batch took to its limit. */
  async check(totals: readonly TotalRow[]): Promise<string[]> {
    const now = this._clock();
    const hard = this._quotas.quotas.list().filter((q) => q.enforcement === 'hard');
    if (hard.length === 0 || totals.length === 0) return [];
    const added: string[] = [];
    for (const q of hard) {
      const start = windowStart(q.period, now, q.timezone);
      // Usage per subject in this window: the touched rows, summed over orgs unless the quota names one.
      const used = new Map<string, bigint>();
      for (const t of totals) {
        if (t.period !== q.period || t.tz !== q.timezone || t.window_start !== start || t.scope !== q.scope) continue;
        if (q.subject !== '*' && t.subject !== q.subject) continue;
        if (q.org !== undefined && t.org !== q.org) continue;
        used.set(t.subject, (used.get(t.subject) ?? 0n) + usageOf(q, t));
      }
      for (const [subject, usage] of used) {
        const limit = limitFor(q, subject);
        const limitExact = exactLimit(q, limit);
        if (usage < limitExact) continue;
        const id = blockId(['quota', q.id, q.scope, subject]);
        if (this._blocks.get(id)) continue;
        const shown = q.metric === 'cost' ? picoToUsd(usage) : Number(usage);
        try {
          const ok = await this._blocks.add({
            id, scope: q.scope, subject, reason: 'quota', quota_id: q.id, metric: q.metric, limit, usage: shown,
            reset_at: new Date(nextWindowStart(q.period, now, q.timezone)).toISOString(), since: new Date(now).toISOString(),
            message: `hard quota ${q.id} reached at ingest: ${q.scope} ${subject} used ${shown} of ${limit}`,
          }, 'ledger', `ingest: usage ${shown} reached the limit ${limit} of hard quota ${q.id}`);
          if (ok) added.push(id);
        } catch (error) {
          this._onError(error);
        }
      }
    }
    return added;
  }
}
