/**
 * Alertmanager webhook receiver (payload version 4). Acts on alerts labelled
 * `tokenmeter_action` = `block` | `notify` with `scope` and `subject`
 * (`quota_id` for quota alerts). It computes the desired state, so the
 * duplicates an HA pair or `repeat_interval` sends change nothing. A hard
 * quota's block is usually already there, placed at ingest (same id); the
 * alert then changes nothing, and an operator's own rule can still block.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { QUOTA_SCOPES, type QuotaScope } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import { subjectUsage } from '../quotas/evaluate.js';
import { blockId, type StoredBlock } from './blocks.js';

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).optional(),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: z.record(z.string(), z.string()).optional(),
  commonLabels: z.record(z.string(), z.string()).optional(),
  commonAnnotations: z.record(z.string(), z.string()).optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
type Alert = AlertmanagerPayload['alerts'][number];

export interface ReceiveResult {
  received: number;
  blocked: string[];
  unblocked: string[];
  ignored: number;
}

/** How long a notify alert's identity is remembered (longer than any Alertmanager repeat of one firing). */
export const NOTIFY_CLAIM_MILLIS = 31 * 24 * 3600 * 1000;

export class AlertReceiver {
  private _queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly _cp: ControlPlane) {}

  /** Applies one notification; notifications are applied one at a time, in arrival order. */
  receive(payload: AlertmanagerPayload, actor: string): Promise<ReceiveResult> {
    const run = this._queue.then(() => this._receive(payload, actor));
    this._queue = run.catch(() => undefined);
    return run;
  }

  private async _receive(payload: AlertmanagerPayload, actor: string): Promise<ReceiveResult> {
    const result: ReceiveResult = { received: payload.alerts.length, blocked: [], unblocked: [], ignored: 0 };
    for (const alert of payload.alerts) {
      const action = alert.labels.tokenmeter_action;
      const scope = alert.labels.scope as QuotaScope | undefined;
      const subject = alert.labels.subject;
      if ((action !== 'block' && action !== 'notify') || !scope || !QUOTA_SCOPES.includes(scope) || !subject) {
        result.ignored++;
        continue;
      }
      // Soft limits never refuse: a block-labelled alert of a soft quota (or budget) only notifies.
      const quota = alert.labels.quota_id !== undefined ? this._cp.quotaSet.find(alert.labels.quota_id) : undefined;
      const soft = quota?.enforcement === 'soft';
      if (action === 'notify' || soft) {
        await this._notify(alert, actor);
        // A block placed while the quota was hard lifts when its alert resolves.
        const id = soft && action === 'block' && alert.status === 'resolved' ? await this._unblock(alert, scope, subject, actor) : undefined;
        if (id) result.unblocked.push(id);
        continue;
      }
      if (alert.status === 'firing') {
        const id = await this._block(alert, scope, subject, actor);
        if (id) result.blocked.push(id);
      } else {
        const id = await this._unblock(alert, scope, subject, actor);
        if (id) result.unblocked.push(id);
      }
    }
    return result;
  }

  private _idFor(alert: Alert, scope: string, subject: string): string {
    const quotaId = alert.labels.quota_id;
    return quotaId !== undefined && this._cp.quotaSet.find(quotaId)
      ? blockId(['quota', quotaId, scope, subject])
      : blockId(['alert', alert.labels.alertname ?? '', scope, subject]);
  }

  private async _block(alert: Alert, scope: QuotaScope, subject: string, actor: string): Promise<string | undefined> {
    const id = this._idFor(alert, scope, subject);
    if (this._cp.blocks.get(id)) return undefined;
    const now = this._cp.clock();
    const quota = alert.labels.quota_id !== undefined ? this._cp.quotaSet.find(alert.labels.quota_id) : undefined;
    const message = alert.annotations?.summary ?? alert.annotations?.description;
    let block: StoredBlock;
    if (quota) {
      const status = await subjectUsage(this._cp.store, quota, subject, now);
      const startsAt = Date.parse(alert.startsAt);
      // A delayed repeat of an alert from a past window must not block the new window while it is under the limit.
      if (status.usage_exact < status.limit_exact && Number.isFinite(startsAt) && startsAt < status.window_start) return undefined;
      block = {
        id, scope, subject, reason: 'quota', quota_id: quota.id, metric: quota.metric, limit: status.limit, usage: status.usage,
        reset_at: new Date(status.next_reset).toISOString(), since: new Date(now).toISOString(),
        ...(message !== undefined ? { message } : {}), alert_starts_at: alert.startsAt, ...(alert.labels.alertname ? { alertname: alert.labels.alertname } : {}),
      };
    } else {
      block = {
        id, scope, subject, reason: 'alert', since: new Date(now).toISOString(),
        message: message ?? `alert ${alert.labels.alertname ?? '(unnamed)'} is firing`,
        alert_starts_at: alert.startsAt, ...(alert.labels.alertname ? { alertname: alert.labels.alertname } : {}),
      };
    }
    const reason = `alert ${alert.labels.alertname ?? '(unnamed)'} firing since ${alert.startsAt}${quota ? ` (usage ${block.usage} of limit ${block.limit})` : ''}`;
    return (await this._cp.blocks.add(block, actor, reason)) ? id : undefined;
  }

  private async _unblock(alert: Alert, scope: QuotaScope, subject: string, actor: string): Promise<string | undefined> {
    const id = this._idFor(alert, scope, subject);
    const block = this._cp.blocks.get(id);
    if (!block) return undefined;
    if (block.reason === 'quota' && block.quota_id !== undefined) {
      const quota = this._cp.quotaSet.find(block.quota_id);
      if (quota?.enforcement === 'soft') {
        const ok = await this._cp.blocks.remove(id, actor, `alert resolved and quota ${quota.id} is now soft`);
        return ok ? id : undefined;
      }
      if (quota) {
        const status = await subjectUsage(this._cp.store, quota, subject, this._cp.clock());
        if (status.usage_exact >= status.limit_exact) {
          this._cp.onInfo('resolved alert ignored: the ledger still shows usage at or over the limit', { block: id, usage: status.usage, limit: status.limit });
          return undefined;
        }
        const ok = await this._cp.blocks.remove(id, actor, `alert resolved and the ledger confirms usage ${status.usage} < limit ${status.limit}`);
        return ok ? id : undefined;
      }
    }
    const ok = await this._cp.blocks.remove(id, actor, `alert ${alert.labels.alertname ?? '(unnamed)'} resolved`);
    return ok ? id : undefined;
  }

  /**
   * Audits a notify alert once per identity (fingerprint or labels, status, startsAt): the claim lives in
   * the store, so no memory limit, restart or second replica lets a replay write it again.
   */
  private async _notify(alert: Alert, actor: string): Promise<void> {
    const identity = `${alert.fingerprint ?? JSON.stringify(Object.entries(alert.labels).sort())}\u0000${alert.status}\u0000${alert.startsAt}`;
    const key = `alert-notify:${createHash('sha256').update(identity).digest('hex')}`;
    const now = this._cp.clock();
    if (!(await this._cp.store.claim(key, now, now + NOTIFY_CLAIM_MILLIS))) return;
    await this._cp.audit.record({
      kind: 'alert', action: `notify.${alert.status}`, actor, subject: `${alert.labels.scope}:${alert.labels.subject}`,
      reason: alert.annotations?.summary ?? alert.labels.alertname ?? null, data: { labels: alert.labels, startsAt: alert.startsAt },
    });
  }
}
