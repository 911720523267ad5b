/** Starts the whole service in-process (main.ts, tests, benchmarks): store, control plane, HTTP server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { ControlPlane } from './control-plane.js';
import { openStore } from './store/open.js';
import type { Store } from './store/types.js';
import { createTelemetry, type Telemetry } from './telemetry.js';
import { createApp, type AppHandle } from './app.js';

export interface RunningServer {
  url: string;
  port: number;
  cp: ControlPlane;
  telemetry: Telemetry;
  handle: AppHandle;
  server: Server;
  /** Stops accepting, ends SSE streams, drains in-flight requests, closes the store. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  store?: Store;
  clock?: () => number;
  processMetrics?: boolean;
  onError?: (error: unknown) => void;
  onInfo?: (message: string, data?: object) => void;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const telemetry = createTelemetry({ processMetrics: options.processMetrics ?? false });
  const store = options.store ?? (await openStore(config));
  const cp = new ControlPlane({ config, store, clock: options.clock, onError: options.onError, onInfo: options.onInfo });
  await cp.init();
  cp.start();
  const handle = createApp(cp, telemetry);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = handle.app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`, port, cp, telemetry, handle, server,
    close: () => (closing ??= (async () => {
      handle.setReady(false);
      handle.hub.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await cp.close();
    })()),
  };
}
