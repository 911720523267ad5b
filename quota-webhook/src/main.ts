#!/usr/bin/env node
/**
 * `npm start -w quota-webhook`: the control plane on :9470. Config from the
 * environment (validated first), pino logs, graceful SIGTERM/SIGINT drain.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
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
  if (open) log.warn('no TOKENMETER_*_TOKEN is set: the API is open to anyone who can reach it');
  const offset = config.clockOffsetMillis;
  if (offset !== 0) log.warn({ offsetMillis: offset }, 'TOKENMETER_CLOCK_OFFSET_MS is set: the clock is shifted (for tests only)');
  const running = await startServer({
    config,
    ...(offset !== 0 ? { clock: () => Date.now() + offset } : {}),
    processMetrics: true,
    onError: (error) => log.error({ err: error }, 'background error'),
    onInfo: (message, data) => log.info(data ?? {}, message),
  });
  log.info({ url: running.url, store: running.cp.store.kind, timezones: running.cp.timeZones }, 'control plane listening');
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
  console.error('tokenmeter control plane failed to start:', error);
  process.exit(1);
});
