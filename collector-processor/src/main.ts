#!/usr/bin/env node
/**
 * Entry point: `npm start -w collector-processor`. A bad setting or a failed
 * start (port in use, …) prints one line naming the setting and what to do,
 * and exits non-zero: 2 for configuration, 1 for start-up.
 */
import { ConfigError, loadConfig } from './config.js';
import { startCollector } from './collector.js';
import { StartupError } from './startup-error.js';

const NAME = 'tokenmeter-collector-processor';

function fail(message: string, code: number): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  const running = await startCollector(config);
  const stop = (): void => {
    void running.shutdown().then(() => process.exit(0)); // exit once drained
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: unknown) => {
  if (error instanceof StartupError) fail(error.message, 1);
  // Not a known failure: still one line; the stack only when asked for.
  const debug = process.env.TOKENMETER_LOG_LEVEL === 'debug' || process.env.TOKENMETER_LOG_LEVEL === 'trace';
  const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
  fail(`failed to start: ${text}${debug ? '' : ' (TOKENMETER_LOG_LEVEL=debug prints the stack)'}`, 1);
});
