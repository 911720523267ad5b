/**
 * Quota gauges for Prometheus, computed from the exact running totals at
 * scrape time: `tokenmeter_quota_{limit,usage,utilization,threshold}` with
 * labels `quota_id, scope, subject, metric, period, enforcement`, and
 * `tokenmeter_blocks` by scope. One evaluation serves all gauges of a scrape.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { QUOTA_SCOPES } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import type { QuotaStatus } from './evaluate.js';

const LABELS = ['quota_id', 'scope', 'subject', 'metric', 'period', 'enforcement'] as const;
const SHARE_MILLIS = 250;

/** The threshold label: the percent as a string (0.8 → "80"). */
export function thresholdLabel(t: number): string {
  return String(Math.round(t * 10_000) / 100);
}

export function registerQuotaMetrics(registry: Registry, cp: ControlPlane): void {
  let inflight: Promise<QuotaStatus[]> | undefined;
  let cached: { at: number; value: QuotaStatus[] } | undefined;
  const evaluation = (): Promise<QuotaStatus[]> => {
    if (cached && Date.now() - cached.at < SHARE_MILLIS) return Promise.resolve(cached.value);
    inflight ??= cp.evaluate().then(
      (value) => {
        cached = { at: Date.now(), value };
        inflight = undefined;
        return value;
      },
      (error: unknown) => {
        inflight = undefined;
        throw error;
      },
    );
    return inflight;
  };
  const each = (statuses: QuotaStatus[], fn: (labels: Record<(typeof LABELS)[number], string>, s: QuotaStatus, w: QuotaStatus['windows'][number]) => void): void => {
    for (const s of statuses) {
      const q = s.quota;
      for (const w of s.windows) {
        fn({ quota_id: q.id, scope: q.scope, subject: w.subject, metric: q.metric, period: q.period, enforcement: q.enforcement }, s, w);
      }
    }
  };
  new Gauge({
    name: 'tokenmeter_quota_limit', help: 'Limit of a quota or budget for one subject (USD for cost, tokens, or requests).',
    labelNames: LABELS, registers: [registry],
    async collect() {
      this.reset();
      each(await evaluation(), (l, _s, w) => this.set(l, w.limit));
    },
  });
  new Gauge({
    name: 'tokenmeter_quota_usage', help: 'Exact usage of the current period window from the ledger (USD for cost, tokens, or requests).',
    labelNames: LABELS, registers: [registry],
    async collect() {
      this.reset();
      each(await evaluation(), (l, _s, w) => this.set(l, w.usage));
    },
  });
  new Gauge({
    name: 'tokenmeter_quota_utilization', help: 'Usage divided by limit for the current period window (1 = 100 %).',
    labelNames: LABELS, registers: [registry],
    async collect() {
      this.reset();
      each(await evaluation(), (l, _s, w) => this.set(l, w.utilization));
    },
  });
  new Gauge({
    name: 'tokenmeter_quota_threshold', help: 'Configured alert thresholds of a quota as ratios, one series per threshold (label threshold = percent).',
    labelNames: [...LABELS, 'threshold'], registers: [registry],
    async collect() {
      this.reset();
      each(await evaluation(), (l, s) => {
        for (const t of s.quota.thresholds) this.set({ ...l, threshold: thresholdLabel(t) }, t);
      });
    },
  });
  new Gauge({
    name: 'tokenmeter_blocks', help: 'Active enforcement blocks by scope.', labelNames: ['scope'], registers: [registry],
    collect() {
      const counts = cp.blocks.countByScope();
      for (const scope of QUOTA_SCOPES) this.set({ scope }, counts.get(scope) ?? 0);
    },
  });
  new Gauge({
    name: 'tokenmeter_enforcement_revision', help: 'Revision of the enforcement feed.', registers: [registry],
    collect() {
      this.set(cp.feed.revision);
    },
  });
}
