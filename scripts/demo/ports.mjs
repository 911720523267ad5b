// The demo's ports, each moved by the variable the service itself reads (so a
// port set for `npm start` is the one the service listens on). The launcher
// refuses to start when one is taken, naming the variable that moves it.
import { createServer } from 'node:net';

/** Port settings of the demo: what listens there, the variable that moves it, its default. */
export const PORT_SETTINGS = [
  { key: 'mock', what: 'mock LLM provider', variable: 'TOKENMETER_MOCK_LLM_PORT', default: 8300 },
  { key: 'controlPlane', what: 'control plane', variable: 'TOKENMETER_CONTROL_PLANE_PORT', default: 9470 },
  { key: 'otlp', what: 'collector OTLP/HTTP', variable: 'TOKENMETER_COLLECTOR_OTLP_PORT', default: 4318 },
  { key: 'collectorMetrics', what: 'collector metrics', variable: 'TOKENMETER_COLLECTOR_METRICS_PORT', default: 8889 },
  { key: 'sdkMetrics', what: "demo service's SDK metrics", variable: 'OTEL_EXPORTER_PROMETHEUS_PORT', default: 9464 },
  { key: 'prometheus', what: 'Prometheus', variable: 'PROMETHEUS_PORT', default: 9090 },
  { key: 'alertmanager', what: 'Alertmanager', variable: 'ALERTMANAGER_PORT', default: 9093 },
];

/** The ports from `env` (key → port); throws naming the variable when one is not a port number. */
export function readPorts(env = process.env) {
  const ports = {};
  for (const setting of PORT_SETTINGS) {
    const raw = env[setting.variable];
    if (raw === undefined || raw === '') {
      ports[setting.key] = setting.default;
      continue;
    }
    if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
      throw new Error(`${setting.variable}="${raw}" must be a port number from 1 to 65535`);
    }
    ports[setting.key] = Number(raw);
  }
  return ports;
}

/** Whether `port` can be listened on at `host` right now. */
export function portFree(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `keys` whose port is taken, as a message naming the variable
 * that moves it; undefined when all are free.
 */
export async function portConflict(ports, keys, host) {
  for (const key of keys) {
    const setting = PORT_SETTINGS.find((s) => s.key === key);
    if (setting === undefined) throw new Error(`unknown port '${key}'`);
    if (!(await portFree(ports[key], host))) {
      return `port ${ports[key]} (${setting.what}) is in use: stop what holds it, or move the ${setting.what} with ${setting.variable}=<another port>`;
    }
  }
  return undefined;
}
