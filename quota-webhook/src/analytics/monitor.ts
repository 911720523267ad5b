/**
 * The ledger anomaly detector as Prometheus metrics, which the shipped rule
 * `TokenmeterLedgerAnomaly` (dashboards/prometheus/rules/
 * tokenmeter-anomalies.rules.yml) pages on:
 * - `tokenmeter_analytics_anomaly_impact_usd{scope,subject,metric,kind,direction}`:
 *   present while an anomaly is under way in the last complete UTC hour, its
 *   money impact so far (negative for drops);
 * - `tokenmeter_analytics_anomaly_score{…}`: its largest |score|;
 * - `tokenmeter_analytics_anomalies_total{scope,subject,metric,kind}`: anomalies
 *   found since start, each once;
 * - the detection's own figures: `tokenmeter_analytics_anomaly_detection_timestamp_seconds`
 *   (the end of the hour the published detection scored; absent until the
 *   first is done), `…_subjects`, `…_duration_seconds` and
 *   `tokenmeter_analytics_anomaly_detection_runs_total{result}`.
 * Subjects: everything, and every department, feature, provider and model
 * with usage in the 64 days scored (not users: their number is unbounded);
 * metrics: cost (spikes, drops, level shifts) and failed-request surges;
 * hourly buckets in UTC against the same hour of the week over 8 weeks, at
 * least 1 USD of impact.
 * Detected once per complete UTC hour, in the background: hundreds of subjects
 * take seconds, past a scraper's timeout, so a scrape never waits for it. A
 * scrape publishes the last completed detection and, when that is not of the
 * last complete hour, starts one (background-computation.ts: one at a time,
 * a turn for requests between subjects, a failure keeps the last figures, is
 * logged once and retried a minute later). Each subject is read on its own:
 * one read of a whole scope holds the event loop for as long as all of them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { picoToUsd } from '@tokenmeter/instrumentation/pricing';
import type { ControlPlane } from '../control-plane.js';
import { BackgroundComputation, type ComputationStats, type Timed, type Turn } from '../metrics/background-computation.js';
import type { RollupScope } from '../store/types.js';
import { DAY_MS, HOUR_MS } from './context.js';
import { detectAnomalies, detectErrorSurges } from './methods/anomalies.js';
import { localSeries, type Target, type Usage } from './series.js';
import { hourOfWeek } from './time-buckets.js';

export const MONITORED_SCOPES: readonly RollupScope[] = ['all', 'department', 'feature', 'provider', 'model'];
export const MONITOR_MIN_IMPACT_USD = 1;
/** Buckets scanned before the last one, so a run that started earlier is seen whole. */
const RECENT = 48;
const HISTORY_MS = (8 * 7 + 8) * DAY_MS;
const LABELS = ['scope', 'subject', 'metric', 'kind', 'direction'] as const;
const FOUND_LABELS = ['scope', 'subject', 'metric', 'kind'] as const;

/** An anomaly under way in the hour scored. */
export interface LedgerAnomaly {
  labels: Record<(typeof LABELS)[number], string>;
  impactUsd: number;
  score: number;
  /** Identity of the event (subject, metric and first bucket) for the counter. */
  key: string;
  /** Start (epoch ms) of its first bucket. */
  startMs: number;
}

/** One subject's anomalies under way at the end of the complete UTC hour ending at `hourEndMs`. */
export type SubjectDetector = (cp: ControlPlane, target: Target, hourEndMs: number) => Promise<LedgerAnomaly[]>;

/** Anomalies found since start for one (scope, subject, metric, kind). */
export interface FoundCount {
  labels: Record<(typeof FOUND_LABELS)[number], string>;
  count: number;
}

/** A completed detection: what a scrape publishes. */
export interface AnomalyDetection extends Timed {
  /** End (epoch ms) of the complete UTC hour it scored. */
  readonly hourEndMs: number;
  /** Subjects (scope, subject) it scored. */
  readonly subjects: number;
  /** The anomalies under way in that hour. */
  readonly active: readonly LedgerAnomaly[];
  /** Anomalies found since start by scope, subject, metric and kind, this detection's included. */
  readonly found: ReadonlyMap<string, FoundCount>;
}

export interface AnomalyMonitorOptions {
  /** Wait before retrying a failed detection (default 60 s). */
  retryMillis?: number;
  /** One subject's detection (default `detectSubjectAnomalies`). */
  detector?: SubjectDetector;
  /** A failed detection (the first of a run of failures); default: none. */
  onError?: (error: unknown) => void;
  /** Recovery after failures. */
  onInfo?: (message: string, data?: object) => void;
}

/** The subjects of `scope` with usage in [from, to), in order. */
async function monitoredSubjects(cp: ControlPlane, scope: RollupScope, { from, to }: { from: number; to: number }): Promise<string[]> {
  const rows = await cp.store.readQuery('SELECT DISTINCT subject FROM rollup WHERE scope = ? AND bucket_ms >= ? AND bucket_ms < ? ORDER BY subject',
    [scope, BigInt(from), BigInt(to)]);
  return rows.map((r) => String(r.subject));
}

/** Cost anomalies and failed-request surges under way at the end of one subject's hourly UTC series (bucket `starts`, `usage`). */
export function anomaliesUnderWay(scope: RollupScope, subject: string, starts: readonly number[], usage: readonly Usage[]): LedgerAnomaly[] {
  const n = starts.length;
  const phases = starts.map((s) => hourOfWeek(s, 'UTC'));
  const out: LedgerAnomaly[] = [];
  const cost = usage.map((u) => picoToUsd(u.cost_pico));
  for (const e of detectAnomalies(cost, { period: 168, phases, minImpact: MONITOR_MIN_IMPACT_USD }, n - RECENT, n)) {
    if (e.end !== n) continue;
    const startMs = starts[e.start]!;
    out.push({ labels: { scope, subject, metric: 'cost', kind: e.kind, direction: e.direction }, impactUsd: e.impact, score: e.score, key: `${scope}\u0000${subject}\u0000cost\u0000${startMs}`, startMs });
  }
  const errors = usage.map((u) => u.errors);
  const requests = usage.map((u) => u.requests);
  for (const e of detectErrorSurges(errors, requests, { baselineBuckets: 168 }, n - RECENT, n)) {
    if (e.end !== n) continue;
    const impactUsd = e.buckets.reduce((a, b) => a + (b.requests > 0 ? ((b.errors - b.expected) * cost[b.index]!) / b.requests : 0), 0);
    if (Math.abs(impactUsd) < MONITOR_MIN_IMPACT_USD) continue;
    const startMs = starts[e.start]!;
    out.push({ labels: { scope, subject, metric: 'error_rate', kind: 'error_surge', direction: 'up' }, impactUsd, score: e.score, key: `${scope}\u0000${subject}\u0000errors\u0000${startMs}`, startMs });
  }
  return out;
}

/** What a detection reads for the hour ending at `hourEndMs`: 64 days, the 8-week baseline of each of the RECENT buckets scored. */
export function monitoredRange(hourEndMs: number): { from: number; to: number } {
  return { from: hourEndMs - HISTORY_MS, to: hourEndMs };
}

/** One subject's series read on its own, then `anomaliesUnderWay`. */
export const detectSubjectAnomalies: SubjectDetector = async (cp, { scope, subject }, hourEndMs) => {
  const series = await localSeries(cp, { scope, subject, ...monitoredRange(hourEndMs), tz: 'UTC', granularity: 'hour' });
  const usage = series.bySubject.get(subject);
  return usage === undefined ? [] : anomaliesUnderWay(scope, subject, series.starts, usage);
};

export class AnomalyMonitor {
  private readonly _run: BackgroundComputation<Omit<AnomalyDetection, 'durationMs'>>;
  private readonly _detector: SubjectDetector;
  /** Events already counted, with their first bucket's start (an event starts within the last RECENT hours scored). */
  private readonly _seen = new Map<string, number>();

  constructor(private readonly _cp: ControlPlane, options: AnomalyMonitorOptions = {}) {
    this._detector = options.detector ?? detectSubjectAnomalies;
    this._run = new BackgroundComputation({
      what: 'ledger anomaly detection for /metrics', retryMillis: options.retryMillis ?? 60_000, onError: options.onError, onInfo: options.onInfo,
    });
  }

  /**
   * The last completed detection (undefined before the first); starts one in the background when
   * it is not of the last complete UTC hour. Never waits.
   */
  current(): AnomalyDetection | undefined {
    const nowMs = this._cp.clock();
    const hourEndMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    const last = this._run.published;
    if (last?.hourEndMs !== hourEndMs) this._run.start(nowMs, (turn) => this._detect(hourEndMs, turn));
    return last;
  }

  /** The published detection, without starting one. */
  get published(): AnomalyDetection | undefined {
    return this._run.published;
  }

  /** Whether a detection is in flight. */
  get computing(): boolean {
    return this._run.computing;
  }

  /** Resolves when the detection in flight (if any) has completed or failed; never rejects. */
  async settled(): Promise<void> {
    await this._run.settled();
  }

  get stats(): Readonly<ComputationStats> {
    return this._run.stats;
  }

  /** Stops starting detections and waits for the one in flight, which stops at its next subject. Idempotent. */
  async close(): Promise<void> {
    await this._run.close();
  }

  /** Every monitored subject, one after the other; undefined when closed on the way. */
  private async _detect(hourEndMs: number, turn: Turn): Promise<Omit<AnomalyDetection, 'durationMs'> | undefined> {
    const active: LedgerAnomaly[] = [];
    let subjects = 0;
    for (const scope of MONITORED_SCOPES) {
      if (!(await turn())) return undefined;
      for (const subject of await monitoredSubjects(this._cp, scope, monitoredRange(hourEndMs))) {
        if (!(await turn())) return undefined;
        active.push(...(await this._detector(this._cp, { scope, subject }, hourEndMs)));
        subjects++;
      }
    }
    return { hourEndMs, subjects, active, found: this._count(active, hourEndMs) };
  }

  /** The published counts plus the events of `active` not counted before: each event counts once. */
  private _count(active: readonly LedgerAnomaly[], hourEndMs: number): Map<string, FoundCount> {
    const found = new Map(this._run.published?.found);
    for (const a of active) {
      if (this._seen.has(a.key)) continue;
      this._seen.set(a.key, a.startMs);
      const { scope, subject, metric, kind } = a.labels;
      const key = `${scope}\u0000${subject}\u0000${metric}\u0000${kind}`;
      const before = found.get(key);
      found.set(key, { labels: { scope, subject, metric, kind }, count: (before?.count ?? 0) + 1 });
    }
    // An event that started before the buckets scored is never reported again.
    for (const [key, startMs] of this._seen) if (startMs < hourEndMs - RECENT * HOUR_MS) this._seen.delete(key);
    return found;
  }
}

/**
 * Registers the anomaly families on `registry`, published from `monitor` (default: the control
 * plane's, `cp.anomalyMonitor`). Every collect is synchronous and prom-client runs them all in one
 * turn, so the families of one scrape describe the same detection.
 */
export function registerAnalyticsMetrics(registry: Registry, cp: ControlPlane, options: { monitor?: AnomalyMonitor } = {}): AnomalyMonitor {
  const monitor = options.monitor ?? cp.anomalyMonitor;
  new Counter({
    name: 'tokenmeter_analytics_anomalies_total',
    help: 'Ledger anomalies found (cost spikes, drops, level shifts; failed-request surges), by subject, metric and kind.',
    labelNames: FOUND_LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const f of monitor.current()?.found.values() ?? []) this.inc(f.labels, f.count);
    },
  });
  new Gauge({
    name: 'tokenmeter_analytics_anomaly_impact_usd',
    help: 'Money impact (USD, negative for drops) of a ledger anomaly under way in the last complete hour; absent when none.',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of monitor.current()?.active ?? []) this.set(a.labels, a.impactUsd);
    },
  });
  new Gauge({
    name: 'tokenmeter_analytics_anomaly_score',
    help: 'Largest robust score (|z| on the log scale, or -log10 p of an error surge) of a ledger anomaly under way; absent when none.',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of monitor.current()?.active ?? []) this.set(a.labels, a.score);
    },
  });
  registerDetectionGauges(registry, () => monitor.current(), () => monitor.stats);
  return monitor;
}

/** The detection's own families (as the month-end forecast's, metrics/forecast-runs.ts). */
function registerDetectionGauges(registry: Registry, detection: () => AnomalyDetection | undefined, stats: () => Readonly<ComputationStats>): void {
  // `absent`: what a label-less gauge shows before the first detection (prom-client's default is 0).
  const gauge = (name: string, help: string, value: (d: AnomalyDetection) => number, absent?: 0): void => {
    new Gauge({
      name, help, registers: [registry],
      collect() {
        const d = detection();
        if (d !== undefined) this.set(value(d));
        else if (absent === undefined) this.remove();
        else this.set(absent);
      },
    });
  };
  gauge('tokenmeter_analytics_anomaly_detection_timestamp_seconds',
    'End (control plane clock, Unix seconds) of the complete UTC hour the published ledger anomaly figures were detected for; absent until the first detection is done.',
    (d) => d.hourEndMs / 1000);
  gauge('tokenmeter_analytics_anomaly_detection_subjects', 'Subjects (scope, subject) scored by the published ledger anomaly detection.', (d) => d.subjects, 0);
  gauge('tokenmeter_analytics_anomaly_detection_duration_seconds', 'Wall time in seconds of the background ledger anomaly detection whose figures are published; absent until the first is done.',
    (d) => d.durationMs / 1000);
  new Counter({
    name: 'tokenmeter_analytics_anomaly_detection_runs_total',
    help: 'Background ledger anomaly detections by result (completed; failed: the last figures stay published).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const s = stats();
      this.reset();
      this.inc({ result: 'completed' }, s.completed);
      this.inc({ result: 'failed' }, s.failed);
    },
  });
}
