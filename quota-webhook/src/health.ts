/** Health gauges of the service itself: readiness (store reachable, not draining) and build info. */
import { Gauge, type Registry } from 'prom-client';
import type { Store } from './store/types.js';

export interface HealthSources {
  version: string;
  store: Store;
  /** False while draining. */
  ready(): boolean;
}

/** Answers whether the service is ready: not draining and the store answers a ping. */
export async function isReady(sources: HealthSources): Promise<{ ready: boolean; message?: string }> {
  if (!sources.ready()) return { ready: false, message: 'draining' };
  try {
    await sources.store.ping();
    return { ready: true };
  } catch (error) {
    return { ready: false, message: `store: ${(error as Error).message}` };
  }
}

export function registerHealthMetrics(registry: Registry, sources: HealthSources): void {
  new Gauge({
    name: 'tokenmeter_control_plane_ready', help: '1 when the control plane is ready (store reachable, not draining), else 0.',
    registers: [registry],
    async collect() {
      this.set((await isReady(sources)).ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tokenmeter_control_plane_info', help: 'Version and store kind of the control plane (always 1).',
    labelNames: ['version', 'store'], registers: [registry],
    collect() {
      this.set({ version: sources.version, store: sources.store.kind }, 1);
    },
  });
}
