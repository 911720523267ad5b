#!/usr/bin/env node
/**
 * `npm start -w quota-webhook`: the control plane on :9470. Config from the
 * environment (validated first), pino logs, graceful SIGTERM/SIGINT drain.
 * A start-up failure prints one line naming the setting and what to do.
 */
import { ConfigError, loadConfig, type Config } from './config.js';
import { startupFailure } from './startup-failure.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { keepYoungGenerationSmall } from './reports/young-generation.js';

async function main(): Promise<void> {
  keepYoungGenerationSmall();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`tokenmeter control plane: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const open = Object.values(config.tokens).every((t) => t === undefined);
  if (open && config.allowUnauthenticated) log.warn({ host: config.host }, 'TOKENMETER_ALLOW_UNAUTHENTICATED=true and no TOKENMETER_*_TOKEN: the whole API is open to anyone who can reach it');
  else if (open) log.warn({ host: config.host }, 'no TOKENMETER_*_TOKEN is set: the API is open, so it listens on loopback only');
  if (config.tokens.metrics === undefined) log.info('/metrics needs no token (set TOKENMETER_METRICS_TOKEN to require one)');
  let running;
  try {
    running = await startServer({
      config,
      processMetrics: true,
      onError: (error) => log.error({ err: error }, 'background error'),
      onInfo: (message, data) => log.info(data ?? {}, message),
    });
  } catch (error) {
    console.error(`tokenmeter control plane: ${startupFailure(error, config)}`);
    process.exit(1);
  }
  log.info({ url: running.url, store: running.cp.store.kind, timezones: running.cp.timeZones.list() }, 'control plane listening');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`tokenmeter control plane: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
