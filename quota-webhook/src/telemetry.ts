/**
 * The service's own prom-client Registry (not the global default), created
 * before express is imported so that the first request is already measured.
 * Quota gauges are registered by `quotas/metrics.ts`.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Telemetry {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  ingestedRecords: Counter<'result'>;
  ingestBatches: Counter<'result'>;
  alertsReceived: Counter<'action' | 'status'>;
}

/** A fresh registry with process metrics and the service's HTTP and ledger instruments. */
export function createTelemetry(options: { processMetrics?: boolean } = {}): Telemetry {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP requests served by the control plane, by route template.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    ingestedRecords: new Counter({
      name: 'tokenmeter_ledger_records_total',
      help: 'Usage records received by the ledger, by result (accepted, duplicate, unpriced).',
      labelNames: ['result'],
      registers: [registry],
    }),
    ingestBatches: new Counter({
      name: 'tokenmeter_ledger_batches_total',
      help: 'Usage batches received by the ledger, by result (ok, invalid, error).',
      labelNames: ['result'],
      registers: [registry],
    }),
    alertsReceived: new Counter({
      name: 'tokenmeter_alerts_received_total',
      help: 'Alertmanager alerts received, by tokenmeter_action and status.',
      labelNames: ['action', 'status'],
      registers: [registry],
    }),
  };
}
