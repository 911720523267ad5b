/**
 * Everything real but the LLM, on loopback free ports: the mock provider, the
 * control plane (`quota-webhook/dist/main.js`, a SQLite file), a service
 * instrumented by the SDK's register hook (apps/service.cjs) and Prometheus
 * running the shipped rules and config, scraping and evaluating every second.
 * Needs the build (`npx tsc -b`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { freePort, startProcess, startPrometheus, waitFor, waitForHttp, type ManagedProcess, type RunningPrometheus } from '@tokenmeter/testkit';
import { derivePrometheusConfig, JOBS, ruleFiles } from '../../index.js';

const HOST = '127.0.0.1';
const CONTROL_PLANE_MAIN = fileURLToPath(new URL('../../../quota-webhook/dist/main.js', import.meta.url));
const SERVICE_APP = fileURLToPath(new URL('../apps/service.cjs', import.meta.url));
const DASHBOARDS_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Tokens of the control plane's roles (test values, not secrets). */
export const TOKENS = Object.freeze({ admin: 'dash-admin-token', read: 'dash-read-token', ingest: 'dash-ingest-token' });
type Role = keyof typeof TOKENS;

export interface Attribution {
  org?: string;
  department?: string;
  user?: string;
  feature?: string;
}

export interface Stack {
  mock: RunningMockLlm;
  prometheus: RunningPrometheus;
  controlPlaneUrl: string;
  /** One control plane request with a role's token; a non-2xx answer throws. */
  api<T = unknown>(method: string, path: string, body?: unknown, role?: Role): Promise<T>;
  /** One chat call by the instrumented service. */
  call(request: { attribution: Attribution; provider: 'openai' | 'anthropic'; model: string; usage?: Record<string, number>; fault?: string }): Promise<{ ok: boolean }>;
  /** One call through the SDK's router (openai first, then anthropic). */
  route(attribution: Attribution): Promise<{ ok: boolean; provider: string; attempts: Array<{ provider: string; outcome: string }> }>;
  /** Delivers the service's buffered usage records to the control plane now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

function withOutput(error: unknown, proc: ManagedProcess, what: string): Error {
  return new Error(`${what}: ${error instanceof Error ? error.message : String(error)}\n--- output ---\n${proc.output().slice(-4000)}`, { cause: error });
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface StackOptions {
  /**
   * Runs once the control plane is ready and before anything scrapes it (Prometheus starts after): for
   * history the control plane reads at its first scrape, such as the anomaly monitor's hour.
   */
  beforeScrape?(api: Stack['api']): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!existsSync(CONTROL_PLANE_MAIN)) throw new Error(`${CONTROL_PLANE_MAIN} is missing: build first (npx tsc -b)`);
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-dashboards-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async (): Promise<void> => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    started.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const mock = await startMockLlm({ host: HOST, port: 0 });
    started.push(mock);

    const cpPort = await freePort();
    const controlPlaneUrl = `http://${HOST}:${cpPort}`;
    const cp = startProcess(process.execPath, [CONTROL_PLANE_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        TOKENMETER_CONTROL_PLANE_HOST: HOST,
        TOKENMETER_CONTROL_PLANE_PORT: String(cpPort),
        TOKENMETER_DB_URL: join(dir, 'ledger.db'),
        TOKENMETER_SQLITE_SYNCHRONOUS: 'normal',
        TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
        TOKENMETER_READ_TOKEN: TOKENS.read,
        TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
        TOKENMETER_LOG_LEVEL: 'warn',
      },
    });
    started.push(cp);
    try {
      await waitForHttp(`${controlPlaneUrl}/readyz`, 20_000);
    } catch (error) {
      throw withOutput(error, cp, 'the control plane did not become ready');
    }
    const api = async <T>(method: string, path: string, body?: unknown, role: Role = 'admin'): Promise<T> => {
      const response = await fetch(`${controlPlaneUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKENS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    };
    await options.beforeScrape?.(api);

    const metricsPort = await freePort();
    const service = startProcess(process.execPath, ['--require', '@tokenmeter/instrumentation/register', SERVICE_APP], {
      cwd: DASHBOARDS_DIR,
      env: {
        PATH: process.env.PATH ?? '',
        APP_PORT: '0',
        MOCK_LLM_URL: mock.url,
        OTEL_SERVICE_NAME: 'dashboards-test-service',
        OTEL_TRACES_EXPORTER: 'none',
        TOKENMETER_PROMETHEUS_HOST: HOST,
        TOKENMETER_PROMETHEUS_PORT: String(metricsPort),
        TOKENMETER_CONTROL_PLANE_URL: controlPlaneUrl,
        TOKENMETER_API_TOKEN: TOKENS.ingest,
        TOKENMETER_ENFORCEMENT: 'fail-open',
        TOKENMETER_REPORT_INTERVAL_MS: '200',
      },
    });
    started.push(service);
    let servicePort: number;
    try {
      servicePort = await waitFor(() => {
        if (service.child.exitCode !== null) throw new Error(`exited with ${service.child.exitCode}`);
        const line = service.output().split('\n').find((l) => l.startsWith('READY '));
        return line === undefined ? undefined : Number(line.slice('READY '.length));
      }, { timeoutMillis: 20_000, what: 'the instrumented service' });
    } catch (error) {
      throw withOutput(error, service, 'the instrumented service did not start');
    }
    const serviceUrl = `http://${HOST}:${servicePort}`;

    // The shipped prometheus.yml and rules, scraping and evaluating every second (the 30 s recording group too), no Alertmanager.
    const prometheus = await startPrometheus({
      config: derivePrometheusConfig({
        scrapeIntervalSeconds: 1,
        evaluationIntervalSeconds: 1,
        targets: { [JOBS.controlPlane]: [`${HOST}:${cpPort}`], [JOBS.sdk]: [`${HOST}:${metricsPort}`] },
        alertmanagers: [],
      }),
      files: ruleFiles({ groupIntervalSeconds: 1 }),
    });
    started.push(prometheus);

    return {
      mock, prometheus, controlPlaneUrl,
      api,
      call: (request) => post(`${serviceUrl}/call`, request),
      route: (attribution) => post(`${serviceUrl}/route`, { attribution }),
      flush: async () => {
        await post(`${serviceUrl}/flush`, {});
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
