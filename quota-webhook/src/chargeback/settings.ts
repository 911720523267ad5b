/**
 * What admins store for chargeback and recommendations — three entity
 * families, each cached in memory, written through to the store and audited
 * under its kind: allocation rules (`allocation-rule`), feature settings —
 * value versions and the batchable mark — (`feature`), and recommendation
 * dismissals (`recommendation-dismissal`).
 */
import type { AllocationRule } from '../analytics/allocation.js';
import type { Dismissal } from '../analytics/recommendations/rank.js';
import type { FeatureValueVersion } from '../analytics/roi.js';
import { effectiveMs, type AllocationRuleBody, type FeatureValueBody } from '../analytics/settings-schemas.js';
import type { AuditLog } from '../audit.js';
import { EntityFamily } from '../entities/entity-family.js';
import type { Store } from '../store/types.js';

export interface StoredAllocationRule extends AllocationRule {
  created_at: string;
  updated_at: string;
}

export interface FeatureSettings {
  feature: string;
  /** Value versions, ordered by `effective_ms`. */
  values: FeatureValueVersion[];
  /** Marked by an admin as able to wait for the Batch API. */
  batchable?: boolean;
  updated_at: string;
}

export class ChargebackSettings {
  readonly rules: EntityFamily<StoredAllocationRule>;
  readonly features: EntityFamily<FeatureSettings>;
  readonly dismissals: EntityFamily<Dismissal>;

  constructor(
    store: Store,
    audit: AuditLog,
    private readonly _clock: () => number,
  ) {
    this.rules = new EntityFamily('allocation-rule', store, audit);
    this.features = new EntityFamily('feature', store, audit);
    this.dismissals = new EntityFamily('recommendation-dismissal', store, audit);
  }

  async load(): Promise<void> {
    await Promise.all([this.rules.load(), this.features.load(), this.dismissals.load()]);
  }

  private _now(): string {
    return new Date(this._clock()).toISOString();
  }

  /** Rules in id order (the order they are tried in). */
  ruleList(): StoredAllocationRule[] {
    return [...this.rules.list()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async putRule(id: string, body: AllocationRuleBody, actor: string): Promise<{ rule: StoredAllocationRule; created: boolean }> {
    const prev = this.rules.get(id);
    const now = this._now();
    const match: AllocationRule['match'] = {};
    for (const [k, v] of Object.entries(body.match)) if (v !== undefined) match[k as keyof AllocationRule['match']] = v;
    const rule: StoredAllocationRule = { id, match, created_at: prev?.created_at ?? now, updated_at: now };
    if (body.description !== undefined) rule.description = body.description;
    if (body.receivers !== undefined) rule.receivers = [...new Set(body.receivers)].sort();
    if (body.weights !== undefined) rule.weights = body.weights;
    await this.rules.put(id, rule, actor, prev ? 'update' : 'create');
    return { rule, created: prev === undefined };
  }

  /** Features in name order. */
  featureList(): FeatureSettings[] {
    return [...this.features.list()].sort((a, b) => (a.feature < b.feature ? -1 : 1));
  }

  batchableFeatures(): string[] {
    return this.featureList().filter((f) => f.batchable === true).map((f) => f.feature);
  }

  /** Stores the feature's settings under `action`, or deletes them when nothing is left. */
  private async _saveFeature(f: FeatureSettings, actor: string, action: string): Promise<void> {
    if (f.values.length === 0 && f.batchable !== true) await this.features.delete(f.feature, actor);
    else await this.features.put(f.feature, f, actor, action);
  }

  /** Adds a value version (replacing one with the same effective instant). */
  async setValue(feature: string, body: FeatureValueBody, actor: string): Promise<FeatureSettings> {
    const now = this._now();
    const version: FeatureValueVersion = { effective_from: body.effective_from, effective_ms: effectiveMs(body.effective_from), set_by: actor, set_at: now };
    if (body.usd_per_success !== undefined) version.usd_per_success = body.usd_per_success;
    if (body.usd_per_month !== undefined) version.usd_per_month = body.usd_per_month;
    const prev = this.features.get(feature);
    const values = (prev?.values ?? []).filter((v) => v.effective_ms !== version.effective_ms);
    values.push(version);
    values.sort((a, b) => a.effective_ms - b.effective_ms);
    const next: FeatureSettings = { ...(prev ?? { feature }), feature, values, updated_at: now };
    await this._saveFeature(next, actor, 'set-value');
    return next;
  }

  /** Removes one value version (by its effective instant) or, without one, every version. Returns how many were removed. */
  async deleteValue(feature: string, effectiveFrom: string | undefined, actor: string): Promise<number> {
    const prev = this.features.get(feature);
    if (!prev || prev.values.length === 0) return 0;
    const at = effectiveFrom === undefined ? undefined : effectiveMs(effectiveFrom);
    const values = at === undefined ? [] : prev.values.filter((v) => v.effective_ms !== at);
    const removed = prev.values.length - values.length;
    if (removed > 0) await this._saveFeature({ ...prev, values, updated_at: this._now() }, actor, 'delete-value');
    return removed;
  }

  async setBatchable(feature: string, batchable: boolean, actor: string): Promise<FeatureSettings> {
    const prev = this.features.get(feature);
    const next: FeatureSettings = { ...(prev ?? { feature, values: [] }), feature, batchable, updated_at: this._now() };
    if (!batchable) delete next.batchable;
    await this._saveFeature(next, actor, batchable ? 'mark-batchable' : 'unmark-batchable');
    return next;
  }

  async dismiss(d: Omit<Dismissal, 'dismissed_at' | 'actor'>, actor: string): Promise<Dismissal> {
    const dismissal: Dismissal = { ...d, dismissed_at: this._now(), actor };
    await this.dismissals.put(d.id, dismissal, actor, 'dismiss');
    return dismissal;
  }
}
