/** The audit log: every block/unblock, price change, re-pricing and quota change, with actor and reason. */
import type { AuditEntry, Store } from './store/types.js';

export interface AuditInput {
  /** What changed: `block`, `price`, `quota`, `budget`, `provider`, `directory`, `alert`, `ledger`, or an entity family's kind. */
  kind: string;
  action: string;
  actor: string;
  subject?: string | null;
  reason?: string | null;
  data?: unknown;
}

export class AuditLog {
  constructor(
    private readonly _store: Store,
    private readonly _clock: () => number,
  ) {}

  async record(e: AuditInput): Promise<void> {
    await this._store.appendAudit({
      time_ms: this._clock(), kind: e.kind, action: e.action, actor: e.actor, subject: e.subject ?? null,
      reason: e.reason ?? null, data: e.data ?? null,
    });
  }

  list(filter: { from?: number; to?: number; kind?: string; limit?: number }): Promise<AuditEntry[]> {
    return this._store.listAudit(filter);
  }
}
