/**
 * Quota gauges for Prometheus, computed from the exact running totals at
 * scrape time: `tokenmeter_quota_{limit,usage,utilization,threshold}` with
 * labels `quota_id, scope, subject, metric, period, enforcement` (rendered
 * here, appended to the registry's text by `/metrics`), and prom-client
 * gauges `tokenmeter_blocks` by scope and the feed's revision. One
 * evaluation serves all quota gauges of a scrape.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { QUOTA_SCOPES } from '@tokenmeter/instrumentation/protocol';
import type { ControlPlane } from '../control-plane.js';
import type { Store } from '../store/types.js';
import { evaluateQuotas, type QuotaStatus } from './evaluate.js';
import type { Quota } from './model.js';
import { escapeLabel, FamilyWriter, joinFamilies, PRINTABLE_ASCII, sampleValue } from '../metrics/exposition.js';

/** The threshold label: the percent as a string (0.8 → "80"). */
export function thresholdLabel(t: number): string {
  return String(Math.round(t * 10_000) / 100);
}

/**
 * The thresholds exported for a quota: its own, plus 100 % for a hard quota
 * that lacks it — the rules block at a threshold >= 1, and a hard quota
 * blocks at 100 % whatever thresholds it notifies at.
 */
export function exportedThresholds(q: Quota): readonly number[] {
  return q.enforcement === 'hard' && !q.thresholds.includes(1) ? [...q.thresholds, 1].sort((a, b) => a - b) : q.thresholds;
}

/** The quota families: name and help. Labels `quota_id, scope, subject, metric, period, enforcement` (+ `threshold`). */
const FAMILIES = {
  limit: ['tokenmeter_quota_limit', 'Limit of a quota or budget for one subject (USD for cost, tokens, or requests).'],
  usage: ['tokenmeter_quota_usage', 'Exact usage of the current period window from the ledger (USD for cost, tokens, or requests).'],
  utilization: ['tokenmeter_quota_utilization', 'Usage divided by limit for the current period window (1 = 100 %).'],
  threshold: ['tokenmeter_quota_threshold', 'Configured alert thresholds of a quota as ratios, one series per threshold (label threshold = percent).'],
} as const;

/** The label text of one quota around its subject, per family. */
interface QuotaLabels {
  /** Family name and the labels before the subject's value. */
  heads: readonly [string, string, string, string];
  /** The labels after the subject's value (`} ` included). */
  rest: string;
  /** Per exported threshold: the labels after the subject's value and the threshold's value (the rest of the line). */
  thresholds: readonly string[];
  ascii: boolean;
}

/**
 * Label text per quota object, kept across scrapes: with 10,000 quotas,
 * rebuilding it every scrape was a third of the rendering. Quotas are
 * replaced, never changed in place (a changed quota is a new object, so a
 * new entry), and entries go with their quota.
 */
const quotaLabelCache = new WeakMap<Quota, QuotaLabels>();

function quotaLabels(q: Quota): QuotaLabels {
  let labels = quotaLabelCache.get(q);
  if (labels === undefined) {
    const head = `{quota_id="${escapeLabel(q.id)}",scope="${escapeLabel(q.scope)}",subject="`;
    const tail = `",metric="${escapeLabel(q.metric)}",period="${escapeLabel(q.period)}",enforcement="${escapeLabel(q.enforcement)}"`;
    labels = {
      heads: [`${FAMILIES.limit[0]}${head}`, `${FAMILIES.usage[0]}${head}`, `${FAMILIES.utilization[0]}${head}`, `${FAMILIES.threshold[0]}${head}`],
      rest: `${tail}} `,
      thresholds: exportedThresholds(q).map((t) => `${tail},threshold="${thresholdLabel(t)}"} ${sampleValue(t)}`),
      ascii: PRINTABLE_ASCII.test(head) && PRINTABLE_ASCII.test(tail),
    };
    quotaLabelCache.set(q, labels);
  }
  return labels;
}

/**
 * The quota gauges in the text exposition format (0.0.4), written here rather
 * than through prom-client Gauges: 10,000 subjects are 60,000 series (~9 MB),
 * and prom-client's per-series set() and formatting took ~250 ms a scrape.
 * The label text of a quota is built once and shared by all its series.
 */
export function renderQuotaMetrics(statuses: readonly QuotaStatus[]): Buffer[] {
  const limit = new FamilyWriter(...FAMILIES.limit);
  const usage = new FamilyWriter(...FAMILIES.usage);
  const utilization = new FamilyWriter(...FAMILIES.utilization);
  const threshold = new FamilyWriter(...FAMILIES.threshold);
  for (const s of statuses) {
    const { heads, rest, thresholds, ascii } = quotaLabels(s.quota);
    for (const w of s.windows) {
      const subject = escapeLabel(w.subject);
      const encoding = ascii && PRINTABLE_ASCII.test(subject) ? 'latin1' : 'utf8';
      limit.sample(heads[0], subject, rest, sampleValue(w.limit), encoding);
      usage.sample(heads[1], subject, rest, sampleValue(w.usage), encoding);
      utilization.sample(heads[2], subject, rest, sampleValue(w.utilization), encoding);
      for (const line of thresholds) threshold.sample(heads[3], subject, line, '', encoding);
    }
  }
  return joinFamilies([limit, usage, utilization, threshold]);
}

/**
 * Registers the enforcement gauges on `registry` and returns the quota
 * gauges' renderer: one evaluation per scrape, so a scrape never shows totals
 * older than itself (`/metrics` appends its text to the registry's, and passes
 * the scrape's totals reads, shared with the period gauges).
 */
export function registerQuotaMetrics(registry: Registry, cp: ControlPlane): (totals?: Pick<Store, 'windowsTotals'>) => Promise<Buffer[]> {
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
  return async (totals = cp.store) => renderQuotaMetrics(await evaluateQuotas(totals, cp.quotaSet.all(), cp.clock()));
}
