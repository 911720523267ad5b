/**
 * The ledger anomaly detector as Prometheus metrics, which the shipped rule
 * `TokenmeterLedgerAnomaly` (dashboards/prometheus/rules/
 * tokenmeter-anomalies.rules.yml) pages on:
 * - `tokenmeter_analytics_anomaly_impact_usd{scope,subject,metric,kind,direction}`:
 *   present while an anomaly is under way in the last complete UTC hour, its
 *   money impact so far (negative for drops);
 * - `tokenmeter_analytics_anomaly_score{…}`: its largest |score|;
 * - `tokenmeter_analytics_anomalies_total{scope,subject,metric,kind}`: anomalies found since start.
 * Subjects: everything, and every department, feature, provider and model
 * (not users: their number is unbounded); metrics: cost (spikes, drops,
 * level shifts) and failed-request surges; hourly buckets in UTC against the
 * same hour of the week over 8 weeks, at least 1 USD of impact. Evaluated
 * once per new complete hour, at the first scrape after it (scrapes in
 * between read the cached result).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ControlPlane } from '../control-plane.js';
import { DAY_MS, HOUR_MS } from './context.js';
import { detectAnomalies, detectErrorSurges } from './methods/anomalies.js';
import { localSeries } from './series.js';
import { hourOfWeek } from './time-buckets.js';
import { picoToUsd } from '@tokenmeter/instrumentation/pricing';
import type { RollupScope } from '../store/types.js';

export const MONITORED_SCOPES: readonly RollupScope[] = ['all', 'department', 'feature', 'provider', 'model'];
export const MONITOR_MIN_IMPACT_USD = 1;
/** Buckets scanned before the last one, so a run that started earlier is seen whole. */
const RECENT = 48;
const LABELS = ['scope', 'subject', 'metric', 'kind', 'direction'] as const;

interface Active {
  labels: Record<(typeof LABELS)[number], string>;
  impactUsd: number;
  score: number;
  /** Identity of the event (first bucket) for the counter. */
  key: string;
}

export class AnomalyMonitor {
  private _hour = -1;
  private _running: Promise<Active[]> | undefined;
  private _active: Active[] = [];
  private readonly _seen = new Set<string>();

  constructor(private readonly _cp: ControlPlane, private readonly _onNew: (a: Active) => void) {}

  /** The anomalies under way in the last complete hour (evaluated once per hour). */
  async active(): Promise<Active[]> {
    const hour = Math.floor(this._cp.clock() / HOUR_MS) * HOUR_MS;
    if (hour !== this._hour) {
      this._hour = hour;
      this._running = this._evaluate(hour).then((list) => {
        for (const a of list) {
          if (this._seen.has(a.key)) continue;
          this._seen.add(a.key);
          this._onNew(a);
        }
        if (this._seen.size > 100_000) this._seen.clear();
        this._active = list;
        return list;
      }).catch((error: unknown) => {
        this._hour = -1;
        this._cp.onError(error);
        return this._active;
      });
    }
    return this._running ?? this._active;
  }

  private async _evaluate(end: number): Promise<Active[]> {
    const from = end - (8 * 7 + 8) * DAY_MS;
    const out: Active[] = [];
    for (const scope of MONITORED_SCOPES) {
      const series = await localSeries(this._cp, { scope, from, to: end, tz: 'UTC', granularity: 'hour' });
      const phases = series.starts.map((s) => hourOfWeek(s, 'UTC'));
      const n = series.starts.length;
      for (const [subject, usage] of series.bySubject) {
        const cost = usage.map((u) => picoToUsd(u.cost_pico));
        const label = { scope, subject: scope === 'all' ? '*' : subject };
        for (const e of detectAnomalies(cost, { period: 168, phases, minImpact: MONITOR_MIN_IMPACT_USD }, n - RECENT, n)) {
          if (e.end !== n) continue;
          out.push({ labels: { ...label, metric: 'cost', kind: e.kind, direction: e.direction }, impactUsd: e.impact, score: e.score, key: `${scope}\u0000${subject}\u0000cost\u0000${series.starts[e.start]}` });
        }
        const errors = usage.map((u) => u.errors);
        const requests = usage.map((u) => u.requests);
        for (const e of detectErrorSurges(errors, requests, { baselineBuckets: 168 }, n - RECENT, n)) {
          if (e.end !== n) continue;
          const impactUsd = e.buckets.reduce((a, b) => a + (b.requests > 0 ? ((b.errors - b.expected) * cost[b.index]!) / b.requests : 0), 0);
          if (Math.abs(impactUsd) < MONITOR_MIN_IMPACT_USD) continue;
          out.push({ labels: { ...label, metric: 'error_rate', kind: 'error_surge', direction: 'up' }, impactUsd, score: e.score, key: `${scope}\u0000${subject}\u0000errors\u0000${series.starts[e.start]}` });
        }
      }
    }
    return out;
  }
}

/** Registers the anomaly gauges and counter on `registry`. */
export function registerAnalyticsMetrics(registry: Registry, cp: ControlPlane): AnomalyMonitor {
  // The monitor counts into `found` (declared below; only called at scrape time).
  const monitor: AnomalyMonitor = new AnomalyMonitor(cp, (a) => found.inc({ scope: a.labels.scope, subject: a.labels.subject, metric: a.labels.metric, kind: a.labels.kind }));
  const found = new Counter({
    name: 'tokenmeter_analytics_anomalies_total',
    help: 'Ledger anomalies found (cost spikes, drops, level shifts; failed-request surges), by subject, metric and kind.',
    labelNames: ['scope', 'subject', 'metric', 'kind'],
    registers: [registry],
    // Collected first: the evaluation of a new hour counts its new anomalies before this counter is read.
    async collect() {
      await monitor.active();
    },
  });
  new Gauge({
    name: 'tokenmeter_analytics_anomaly_impact_usd',
    help: 'Money impact (USD, negative for drops) of a ledger anomaly under way in the last complete hour; absent when none.',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const list = await monitor.active();
      this.reset();
      for (const a of list) this.set(a.labels, a.impactUsd);
    },
  });
  new Gauge({
    name: 'tokenmeter_analytics_anomaly_score',
    help: 'Largest robust score (|z| on the log scale, or -log10 p of an error surge) of a ledger anomaly under way; absent when none.',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const list = await monitor.active();
      this.reset();
      for (const a of list) this.set(a.labels, a.score);
    },
  });
  return monitor;
}
