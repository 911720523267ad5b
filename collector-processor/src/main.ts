#!/usr/bin/env node
/** Entry point: `npm start -w collector-processor`. Config errors exit 2 with the variable named. */
import { ConfigError, loadConfig } from './config.js';
import { startCollector } from './collector.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tokenmeter-collector-processor: ${error.message}\n`);
      process.exit(2);
    }
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
  process.stderr.write(`tokenmeter-collector-processor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
