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
import type { QuotaStatus } from './evaluate.js';
import type { Quota } from './model.js';

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

/** A label value escaped for the text exposition format (backslash, newline, double quote). */
function escapeLabel(v: string): string {
  return /[\\\n"]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

function sampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(v);
}

const CHUNK_BYTES = 256 * 1024;

/**
 * One metric family's text, written piece by piece into buffers: at 60,000
 * series, building a string per line (and flattening ~9 MB of them) was
 * most of a scrape; here a line is three writes and no new string.
 */
class FamilyWriter {
  private readonly _chunks: Buffer[] = [];
  private _buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private _at = 0;

  constructor(name: string, help: string) {
    this._write(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n`, '', '');
  }

  /** Appends `head + labels + value` and a newline; `value` is ASCII. */
  sample(head: string, labels: string, value: string): void {
    this._write(head, labels, value);
    this._buf[this._at++] = 0x0a;
  }

  private _write(head: string, labels: string, value: string): void {
    const most = (head.length + labels.length) * 3 + value.length + 1;
    if (this._at + most > this._buf.length) {
      this._chunks.push(this._buf.subarray(0, this._at));
      this._buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
      this._at = 0;
    }
    this._at += this._buf.write(head, this._at, 'utf8');
    this._at += this._buf.write(labels, this._at, 'utf8');
    this._at += this._buf.write(value, this._at, 'latin1');
  }

  finish(): Buffer[] {
    this._chunks.push(this._buf.subarray(0, this._at));
    return this._chunks;
  }
}

/**
 * The quota gauges in the text exposition format (0.0.4), written here rather
 * than through prom-client Gauges: 10,000 subjects are 60,000 series (~9 MB),
 * and prom-client's per-series set() and formatting took ~250 ms a scrape.
 * Each window's labels are built once and shared by its series.
 */
export function renderQuotaMetrics(statuses: readonly QuotaStatus[]): Buffer {
  const limit = new FamilyWriter(...FAMILIES.limit);
  const usage = new FamilyWriter(...FAMILIES.usage);
  const utilization = new FamilyWriter(...FAMILIES.utilization);
  const threshold = new FamilyWriter(...FAMILIES.threshold);
  for (const s of statuses) {
    const q = s.quota;
    const head = `{quota_id="${escapeLabel(q.id)}",scope="${escapeLabel(q.scope)}",subject="`;
    const heads = [limit, usage, utilization, threshold].map((_, i) => `${Object.values(FAMILIES)[i]![0]}${head}`);
    const tail = `",metric="${escapeLabel(q.metric)}",period="${escapeLabel(q.period)}",enforcement="${escapeLabel(q.enforcement)}"`;
    const thresholds = exportedThresholds(q).map((t) => [`${tail},threshold="${thresholdLabel(t)}"} `, sampleValue(t)] as const);
    for (const w of s.windows) {
      const subject = escapeLabel(w.subject);
      const labels = `${subject}${tail}} `;
      limit.sample(heads[0]!, labels, sampleValue(w.limit));
      usage.sample(heads[1]!, labels, sampleValue(w.usage));
      utilization.sample(heads[2]!, labels, sampleValue(w.utilization));
      for (const [rest, value] of thresholds) threshold.sample(heads[3]!, subject + rest, value);
    }
  }
  const newline = Buffer.from('\n');
  return Buffer.concat([...limit.finish(), newline, ...usage.finish(), newline, ...utilization.finish(), newline, ...threshold.finish()]);
}

/**
 * Registers the enforcement gauges on `registry` and returns the quota
 * gauges' renderer: one evaluation per scrape, so a scrape never shows totals
 * older than itself (`/metrics` appends its text to the registry's).
 */
export function registerQuotaMetrics(registry: Registry, cp: ControlPlane): () => Promise<Buffer> {
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
  return async () => renderQuotaMetrics(await cp.evaluate());
}
