/**
 * Renders the store and the collector's own metrics in the Prometheus text
 * exposition format (0.0.4). Label blocks are pre-rendered per series, so a
 * scrape is string concatenation (bench/run.js measures it).
 */
import type { LedgerForwarder } from './ledger-forwarder.js';
import type { PriceTable } from '../price/price-table.js';
import { escapePrometheusLabelValue } from '@tokenmeter/instrumentation/semconv';
import type { Directory } from '../enrich/directory.js';
import type { SelfMetrics } from './self-metrics.js';
import type { Family, HistogramSeries, NumberSeries, SeriesStore } from '../state/series-store.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function withLabels(labels: string, extra?: string): string {
  if (extra === undefined) return labels === '' ? '' : `{${labels}}`;
  return labels === '' ? `{${extra}}` : `{${labels},${extra}}`;
}

function renderNumbers(f: Family<NumberSeries>, out: string[]): void {
  out.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`);
  let chunk = '';
  for (const s of f.series.values()) chunk += `${f.name}${withLabels(s.labels)} ${fmt(s.acc + s.last)}\n`;
  out.push(chunk);
}

function renderHistogram(f: Family<HistogramSeries>, out: string[]): void {
  out.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} histogram\n`);
  let chunk = '';
  for (const s of f.series.values()) {
    let cumulative = 0;
    for (let i = 0; i < s.bounds.length; i++) {
      cumulative += s.buckets[i] ?? 0;
      chunk += `${f.name}_bucket${withLabels(s.labels, `le="${fmt(s.bounds[i] as number)}"`)} ${cumulative}\n`;
    }
    chunk += `${f.name}_bucket${withLabels(s.labels, 'le="+Inf"')} ${s.count}\n`;
    chunk += `${f.name}_sum${withLabels(s.labels)} ${fmt(s.sum)}\n${f.name}_count${withLabels(s.labels)} ${s.count}\n`;
  }
  out.push(chunk);
}

/** One sample per entry of `counts`, labelled `label`. */
function labelled(name: string, label: string, counts: ReadonlyMap<string, number>): string {
  let lines = '';
  for (const [value, n] of counts) lines += `${name}{${label}="${escapePrometheusLabelValue(value)}"} ${n}\n`;
  return lines;
}

export interface ExpositionSources {
  store: SeriesStore;
  self: SelfMetrics;
  prices: PriceTable;
  forwarder: LedgerForwarder | undefined;
  directory: Directory | undefined;
}

export function renderExposition({ store, self, prices, forwarder, directory }: ExpositionSources): string {
  const out: string[] = [];
  const names = [...store.families.keys()].sort();
  for (const name of names) {
    const f = store.families.get(name) as Family;
    if (f.series.size === 0) continue;
    if (f.type === 'histogram') renderHistogram(f as Family<HistogramSeries>, out);
    else renderNumbers(f as Family<NumberSeries>, out);
  }

  const metric = (name: string, type: string, help: string, lines: string): void => {
    out.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${lines}`);
  };
  metric(
    'tokenmeter_collector_received_total',
    'counter',
    'Items received over OTLP by signal.',
    `tokenmeter_collector_received_total{signal="spans"} ${self.received.spans}\ntokenmeter_collector_received_total{signal="data_points"} ${self.received.dataPoints}\ntokenmeter_collector_received_total{signal="log_records"} ${self.received.logRecords}\n`,
  );
  let requests = '';
  for (const [key, n] of self.requests) {
    const [signal, status] = key.split('\u0000');
    requests += `tokenmeter_collector_http_requests_total{signal="${signal}",code="${status}"} ${n}\n`;
  }
  metric('tokenmeter_collector_http_requests_total', 'counter', 'OTLP/HTTP requests by signal and status code.', requests);
  metric('tokenmeter_collector_calls_total', 'counter', 'GenAI calls derived from spans and log events.', `tokenmeter_collector_calls_total ${self.calls}\n`);
  metric('tokenmeter_collector_own_spans_skipped_total', 'counter', "Spans of tokenmeter's own SDK not re-counted.", `tokenmeter_collector_own_spans_skipped_total ${self.ownSpansSkipped}\n`);
  metric('tokenmeter_collector_same_call_spans_skipped_total', 'counter', 'GenAI spans skipped because their parent or child span described the same call.', `tokenmeter_collector_same_call_spans_skipped_total ${self.sameCallSkipped}\n`);
  metric('tokenmeter_collector_points_ignored_total', 'counter', 'Data points of non-GenAI metrics (not exposed).', `tokenmeter_collector_points_ignored_total ${self.pointsIgnored}\n`);
  metric('tokenmeter_collector_points_rejected_total', 'counter', 'Data points rejected (reported as OTLP partial success).', `tokenmeter_collector_points_rejected_total ${self.rejectedPoints}\n`);
  metric('tokenmeter_collector_implausible_total', 'counter', 'Calls refused at the door as implausible (not priced, counted or forwarded), by reason.', labelled('tokenmeter_collector_implausible_total', 'reason', self.implausible));
  metric('tokenmeter_collector_attributes_dropped_total', 'counter', 'Attributes dropped beyond the per-item limit.', `tokenmeter_collector_attributes_dropped_total ${self.droppedAttributes}\n`);
  let overflow = '';
  for (const f of store.families.values()) if (f.overflowed > 0) overflow += `tokenmeter_collector_series_overflow_total{metric="${f.name}"} ${f.overflowed}\n`;
  metric('tokenmeter_collector_series_overflow_total', 'counter', 'New series folded into the overflow series (TOKENMETER_COLLECTOR_SERIES_LIMIT).', overflow);
  metric(
    'tokenmeter_collector_folded_points_dropped_total',
    'counter',
    'Cumulative points of new sources not added to an overflow series: the memory of folded sources (100,000) was full.',
    `tokenmeter_collector_folded_points_dropped_total ${self.foldedPointsDropped}\n`,
  );
  metric('tokenmeter_collector_series', 'gauge', 'Series held for exposition.', `tokenmeter_collector_series ${store.seriesCount()}\n`);
  metric('tokenmeter_collector_inflight_requests', 'gauge', 'OTLP requests being read or processed.', `tokenmeter_collector_inflight_requests ${self.inflight}\n`);
  metric('tokenmeter_collector_inflight_bytes', 'gauge', 'Bytes of OTLP requests being read or processed (decompressed).', `tokenmeter_collector_inflight_bytes ${self.inflightBytes}\n`);
  metric('tokenmeter_collector_price_refresh_timestamp_seconds', 'gauge', 'Last successful price table refresh (0 = bundled catalog only).', `tokenmeter_collector_price_refresh_timestamp_seconds ${prices.lastRefreshMs / 1000}\n`);
  if (forwarder) {
    metric('tokenmeter_collector_ledger_buffered_records', 'gauge', 'Records waiting for the control plane.', `tokenmeter_collector_ledger_buffered_records ${forwarder.buffered()}\n`);
    metric(
      'tokenmeter_collector_ledger_records_total',
      'counter',
      'Records the ledger took: stored (accepted) or already held (duplicate).',
      `tokenmeter_collector_ledger_records_total{result="accepted"} ${forwarder.accepted}\ntokenmeter_collector_ledger_records_total{result="duplicate"} ${forwarder.duplicates}\n`,
    );
    metric('tokenmeter_collector_ledger_rejected_total', 'counter', 'Records the ledger rejected one by one (dropped, never retried), by code.', labelled('tokenmeter_collector_ledger_rejected_total', 'code', forwarder.rejected));
    metric('tokenmeter_collector_ledger_dropped_total', 'counter', 'Records dropped because the control plane refused them alone with a 4xx, by status.', labelled('tokenmeter_collector_ledger_dropped_total', 'status', forwarder.dropped));
    metric('tokenmeter_collector_ledger_failures_total', 'counter', 'Failed deliveries (retried with the same ids).', `tokenmeter_collector_ledger_failures_total ${forwarder.failures}\n`);
  }
  if (directory) {
    metric('tokenmeter_collector_directory_syncs_total', 'counter', 'Directory syncs (GET /api/v1/directory) sent to the control plane.', `tokenmeter_collector_directory_syncs_total ${directory.syncs}\n`);
    metric('tokenmeter_collector_directory_sync_failures_total', 'counter', 'Directory syncs that failed (the last good copy is kept).', `tokenmeter_collector_directory_sync_failures_total ${directory.failures}\n`);
    metric('tokenmeter_collector_directory_sync_timestamp_seconds', 'gauge', 'Last successful directory sync (0 = none yet).', `tokenmeter_collector_directory_sync_timestamp_seconds ${directory.lastSyncMs / 1000}\n`);
    metric('tokenmeter_collector_directory_users', 'gauge', 'Users held from the directory.', `tokenmeter_collector_directory_users ${directory.size()}\n`);
    metric('tokenmeter_collector_directory_users_beyond_limit', 'gauge', 'Users the directory lists beyond TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS (not held).', `tokenmeter_collector_directory_users_beyond_limit ${directory.truncated}\n`);
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  metric('process_cpu_seconds_total', 'counter', 'User and system CPU time of the collector process.', `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}\n`);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory.', `process_resident_memory_bytes ${mem.rss}\n`);
  metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap used.', `nodejs_heap_used_bytes ${mem.heapUsed}\n`);
  return out.join('');
}
