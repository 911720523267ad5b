/** Quotas and budgets together: a budget counts as a soft cost quota everywhere quotas are evaluated, exported and enforced. */
import type { AuditLog } from '../audit.js';
import { EntityFamily } from '../entities/entity-family.js';
import type { Store } from '../store/types.js';
import { evaluateQuotas, type QuotaStatus } from './evaluate.js';
import { budgetAsQuota, type Budget, type Quota } from './model.js';

export class QuotaSet {
  readonly quotas: EntityFamily<Quota>;
  readonly budgets: EntityFamily<Budget>;

  constructor(
    private readonly _store: Store,
    audit: AuditLog,
    private readonly _clock: () => number,
  ) {
    this.quotas = new EntityFamily<Quota>('quota', _store, audit);
    this.budgets = new EntityFamily<Budget>('budget', _store, audit);
  }

  async load(): Promise<void> {
    await this.quotas.load();
    await this.budgets.load();
  }

  /** Every quota, then every budget as a quota. */
  all(): Quota[] {
    return [...this.quotas.list(), ...this.budgets.list().map(budgetAsQuota)];
  }

  /** A quota, or a budget as a quota. */
  find(id: string): Quota | undefined {
    const q = this.quotas.get(id);
    if (q) return q;
    const b = this.budgets.get(id);
    return b ? budgetAsQuota(b) : undefined;
  }

  /** Whether a quota or budget has this id (they share one id space). */
  taken(id: string): boolean {
    return this.quotas.has(id) || this.budgets.has(id);
  }

  /** Status of the current window of each quota (default: all). */
  evaluate(quotas: readonly Quota[] = this.all()): Promise<QuotaStatus[]> {
    return evaluateQuotas(this._store, quotas, this._clock());
  }
}
