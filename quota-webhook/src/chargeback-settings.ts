/**
 * What admins store for chargeback and recommendations, cached in memory and
 * written through to the store (every write audited): allocation rules
 * (entity kind `allocation-rule`), feature settings — value versions and the
 * batchable mark — (`feature`), and recommendation dismissals
 * (`recommendation-dismissal`).
 */
import type { AllocationRule } from './analytics/allocation.js';
import type { Dismissal } from './analytics/recommendations/rank.js';
import type { FeatureValueVersion } from './analytics/roi.js';
import { effectiveMs, type AllocationRuleBody, type FeatureValueBody } from './analytics/settings-schemas.js';
import type { AuditLog } from './audit.js';
import type { Store } from './store/types.js';

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

const RULE = 'allocation-rule';
const FEATURE = 'feature';
const DISMISSAL = 'recommendation-dismissal';

export class ChargebackSettings {
  private readonly _rules = new Map<string, StoredAllocationRule>();
  private readonly _features = new Map<string, FeatureSettings>();
  private readonly _dismissals = new Map<string, Dismissal>();

  constructor(
    private readonly _store: Store,
    private readonly _audit: AuditLog,
    private readonly _clock: () => number,
  ) {}

  async load(): Promise<void> {
    for (const { id, value } of await this._store.listEntities<StoredAllocationRule>(RULE)) this._rules.set(id, value);
    for (const { id, value } of await this._store.listEntities<FeatureSettings>(FEATURE)) this._features.set(id, value);
    for (const { id, value } of await this._store.listEntities<Dismissal>(DISMISSAL)) this._dismissals.set(id, value);
  }

  private _now(): string {
    return new Date(this._clock()).toISOString();
  }

  // ---- allocation rules ----------------------------------------------------------

  rules(): StoredAllocationRule[] {
    return [...this._rules.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  rule(id: string): StoredAllocationRule | undefined {
    return this._rules.get(id);
  }

  async putRule(id: string, body: AllocationRuleBody, actor: string): Promise<{ rule: StoredAllocationRule; created: boolean }> {
    const prev = this._rules.get(id);
    const now = this._now();
    const match: AllocationRule['match'] = {};
    for (const [k, v] of Object.entries(body.match)) if (v !== undefined) match[k as keyof AllocationRule['match']] = v;
    const rule: StoredAllocationRule = { id, match, created_at: prev?.created_at ?? now, updated_at: now };
    if (body.description !== undefined) rule.description = body.description;
    if (body.receivers !== undefined) rule.receivers = [...new Set(body.receivers)].sort();
    if (body.weights !== undefined) rule.weights = body.weights;
    await this._store.putEntity(RULE, id, rule);
    this._rules.set(id, rule);
    await this._audit.record({ kind: 'allocation-rule', action: prev ? 'update' : 'create', actor, subject: id, data: rule });
    return { rule, created: prev === undefined };
  }

  async deleteRule(id: string, actor: string): Promise<boolean> {
    const prev = this._rules.get(id);
    if (!prev) return false;
    await this._store.deleteEntity(RULE, id);
    this._rules.delete(id);
    await this._audit.record({ kind: 'allocation-rule', action: 'delete', actor, subject: id, data: prev });
    return true;
  }

  // ---- features --------------------------------------------------------------------

  features(): FeatureSettings[] {
    return [...this._features.values()].sort((a, b) => (a.feature < b.feature ? -1 : 1));
  }

  feature(name: string): FeatureSettings | undefined {
    return this._features.get(name);
  }

  batchableFeatures(): string[] {
    return this.features().filter((f) => f.batchable === true).map((f) => f.feature);
  }

  private async _saveFeature(f: FeatureSettings): Promise<void> {
    if (f.values.length === 0 && f.batchable !== true) {
      await this._store.deleteEntity(FEATURE, f.feature);
      this._features.delete(f.feature);
      return;
    }
    await this._store.putEntity(FEATURE, f.feature, f);
    this._features.set(f.feature, f);
  }

  /** Adds a value version (replacing one with the same effective instant). */
  async setValue(feature: string, body: FeatureValueBody, actor: string): Promise<FeatureSettings> {
    const now = this._now();
    const version: FeatureValueVersion = { effective_from: body.effective_from, effective_ms: effectiveMs(body.effective_from), set_by: actor, set_at: now };
    if (body.usd_per_success !== undefined) version.usd_per_success = body.usd_per_success;
    if (body.usd_per_month !== undefined) version.usd_per_month = body.usd_per_month;
    const prev = this._features.get(feature);
    const values = (prev?.values ?? []).filter((v) => v.effective_ms !== version.effective_ms);
    values.push(version);
    values.sort((a, b) => a.effective_ms - b.effective_ms);
    const next: FeatureSettings = { ...(prev ?? { feature }), feature, values, updated_at: now };
    await this._saveFeature(next);
    await this._audit.record({ kind: 'feature', action: 'set-value', actor, subject: feature, data: version });
    return next;
  }

  /** Removes one value version (by its effective instant) or, without one, every version. Returns how many were removed. */
  async deleteValue(feature: string, effectiveFrom: string | undefined, actor: string): Promise<number> {
    const prev = this._features.get(feature);
    if (!prev || prev.values.length === 0) return 0;
    const at = effectiveFrom === undefined ? undefined : effectiveMs(effectiveFrom);
    const values = at === undefined ? [] : prev.values.filter((v) => v.effective_ms !== at);
    const removed = prev.values.length - values.length;
    if (removed === 0) return 0;
    await this._saveFeature({ ...prev, values, updated_at: this._now() });
    await this._audit.record({ kind: 'feature', action: 'delete-value', actor, subject: feature, data: { effective_from: effectiveFrom ?? null, removed } });
    return removed;
  }

  async setBatchable(feature: string, batchable: boolean, actor: string): Promise<FeatureSettings> {
    const prev = this._features.get(feature);
    const next: FeatureSettings = { ...(prev ?? { feature, values: [] }), feature, batchable, updated_at: this._now() };
    if (!batchable) delete next.batchable;
    await this._saveFeature(next);
    await this._audit.record({ kind: 'feature', action: batchable ? 'mark-batchable' : 'unmark-batchable', actor, subject: feature });
    return next;
  }

  // ---- dismissals --------------------------------------------------------------------

  dismissals(): ReadonlyMap<string, Dismissal> {
    return this._dismissals;
  }

  async dismiss(d: Omit<Dismissal, 'dismissed_at' | 'actor'>, actor: string): Promise<Dismissal> {
    const dismissal: Dismissal = { ...d, dismissed_at: this._now(), actor };
    await this._store.putEntity(DISMISSAL, d.id, dismissal);
    this._dismissals.set(d.id, dismissal);
    await this._audit.record({ kind: 'recommendation', action: 'dismiss', actor, subject: d.id, reason: d.reason ?? null, data: dismissal });
    return dismissal;
  }

  async restore(id: string, actor: string): Promise<boolean> {
    const prev = this._dismissals.get(id);
    if (!prev) return false;
    await this._store.deleteEntity(DISMISSAL, id);
    this._dismissals.delete(id);
    await this._audit.record({ kind: 'recommendation', action: 'restore', actor, subject: id, data: prev });
    return true;
  }
}
