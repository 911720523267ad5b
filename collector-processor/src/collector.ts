/**
 * Wires the stages together and runs the two servers. `startCollector` is
 * what `main.ts` runs and what tests embed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CollectorConfig } from './config.js';
import { createLogger } from './logger.js';
import type { Logger } from './logger.js';
import { LedgerForwarder } from './export/ledger-forwarder.js';
import { createMetricsServer } from './export/metrics-server.js';
import { SelfMetrics } from './export/self-metrics.js';
import { Directory } from './enrich/directory.js';
import { PriceTable } from './price/price-table.js';
import { Processor } from './processor.js';
import { createOtlpServer } from './receive/otlp-server.js';
import { SeriesStore } from './state/series-store.js';
import { listenFailure } from './startup-error.js';
import { BearerTokens } from './util/bearer-token.js';

export interface RunningCollector {
  /** Base URL of the OTLP/HTTP receiver, e.g. `http://127.0.0.1:4318`. */
  otlpUrl: string;
  /** Base URL of the metrics server (`/metrics`). */
  metricsUrl: string;
  /** Stops accepting, drains in-flight requests, flushes the ledger buffer; idempotent. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  fetch?: typeof fetch;
}

/** Listens; a failure becomes a `StartupError` naming `portVariable` (or the host's) when it is one an operator can fix. */
function listen(server: Server, port: number, host: string, portVariable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: unknown): void => reject(listenFailure(error, portVariable, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export async function startCollector(config: CollectorConfig, options: StartOptions = {}): Promise<RunningCollector> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const cp = config.controlPlaneUrl;
  const prices = new PriceTable({ controlPlaneUrl: cp, apiToken: config.apiToken, refreshMs: config.priceRefreshMs, logger, fetch: options.fetch });
  const directory =
    cp === undefined
      ? undefined
      : new Directory({ controlPlaneUrl: cp, apiToken: config.apiToken, syncMs: config.directorySyncMs, timeoutMs: config.directoryTimeoutMs, maxUsers: config.directoryMaxUsers, resyncMinMs: config.directoryResyncMinMs, logger, fetch: options.fetch });
  const forwarder =
    cp === undefined
      ? undefined
      : new LedgerForwarder({
          controlPlaneUrl: cp,
          apiToken: config.apiToken,
          batchRecords: config.ledgerBatchRecords,
          flushMs: config.ledgerFlushMs,
          bufferRecords: config.ledgerBufferRecords,
          logger,
          fetch: options.fetch,
        });
  const store = new SeriesStore(config.seriesLimit);
  const self = new SelfMetrics();
  const processor = new Processor({ config, store, prices, directory, forwarder, self });

  let ready = false;
  const otlp = createOtlpServer({
    processor,
    self,
    tokens: new BearerTokens(config.otlpTokens),
    bodyLimitBytes: config.bodyLimitBytes,
    queueRequests: config.queueRequests,
    queueBytes: config.queueBytes,
    retryAfterMs: config.retryAfterMs,
    ledgerFull: () => forwarder !== undefined && forwarder.free() <= 0,
    logger,
  });
  const metrics = createMetricsServer({ store, self, prices, forwarder, directory }, () => ready, new BearerTokens(config.metricsToken === undefined ? [] : [config.metricsToken]));
  const otlpPort = await listen(otlp, config.otlpPort, config.host, 'TOKENMETER_COLLECTOR_OTLP_PORT');
  let metricsPort: number;
  try {
    metricsPort = await listen(metrics, config.metricsPort, config.host, 'TOKENMETER_COLLECTOR_METRICS_PORT');
  } catch (error) {
    await close(otlp);
    throw error;
  }
  for (const notice of config.notices) logger.warn(notice);
  // The bundled catalog prices calls until the control plane's table arrives; a slow control plane does not delay start.
  // Readiness waits for the first price fetch only: the directory merely enriches labels.
  void prices.start().finally(() => {
    ready = true;
  });
  void directory?.start();
  forwarder?.start();
  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    { otlpPort, metricsPort, controlPlane: cp ?? null, otlpAuth: config.otlpTokens.length > 0, metricsAuth: config.metricsToken !== undefined },
    'collector-processor listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    otlpUrl: `http://${shown}:${otlpPort}`,
    metricsUrl: `http://${shown}:${metricsPort}`,
    shutdown() {
      stopping ??= (async () => {
        prices.stop();
        directory?.stop();
        await close(otlp);
        await forwarder?.shutdown(config.shutdownFlushMs);
        await close(metrics);
        logger.info('collector-processor stopped');
      })();
      return stopping;
    },
  };
}
