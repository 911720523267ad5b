// The whole enforcement path on loopback free ports, everything real but the
// LLM: the mock provider, the control plane (`dist/main.js`, SQLite file),
// Alertmanager and Prometheus from the Debian packages running the project's
// shipped rules and configs (derived by @tokenmeter/dashboards: other ports,
// 1 s intervals), and a service instrumented by the SDK's register hook.
// Plain JS (types in stack.d.ts) so that the e2e test and the crossing bench
// (`node bench/crossing.js`, no build step of its own) share it. Needs the
// build: `npx tsc -b` (the control plane and the SDK run from dist/).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveAlertmanagerConfig, derivePrometheusConfig, JOBS, ruleFiles } from '@tokenmeter/dashboards';
import { startMockLlm } from '@tokenmeter/mock-llm';
import { freePort, startAlertmanager, startPrometheus, startProcess, waitFor, waitForHttp } from '@tokenmeter/testkit';

const HOST = '127.0.0.1';
export const QUOTA_WEBHOOK_DIR = fileURLToPath(new URL('../../', import.meta.url));
const CONTROL_PLANE_MAIN = join(QUOTA_WEBHOOK_DIR, 'dist', 'main.js');
const SHIFT_CLOCK = join(QUOTA_WEBHOOK_DIR, 'test', 'support', 'shift-clock.mjs');
const SERVICE_APP = fileURLToPath(new URL('apps/service.cjs', import.meta.url));

/** Tokens of the control plane's four roles (test values, not secrets). */
export const TOKENS = Object.freeze({ admin: 'e2e-admin', read: 'e2e-read', ingest: 'e2e-ingest', alertmanager: 'e2e-alertmanager' });

const WEBHOOK_PATH = '/api/v1/alerts/alertmanager';

/** Fails with the process's recent output, which says why it did not come up. */
function withOutput(error, proc, what) {
  return new Error(`${what}: ${error instanceof Error ? error.message : String(error)}\n--- output ---\n${proc.output().slice(-4000)}`, { cause: error });
}

/** The control plane as a child process; `restart()` keeps its port and database. */
async function startControlPlane(dir, env) {
  if (!existsSync(CONTROL_PLANE_MAIN)) throw new Error(`${CONTROL_PLANE_MAIN} is missing: build first (npx tsc -b)`);
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const dbPath = join(dir, 'ledger.db');
  const baseEnv = {
    PATH: process.env.PATH ?? '',
    TOKENMETER_CONTROL_PLANE_HOST: HOST,
    TOKENMETER_CONTROL_PLANE_PORT: String(port),
    TOKENMETER_DB_URL: dbPath,
    // WAL without fsync per commit: survives a process crash, which is all a restart needs.
    TOKENMETER_SQLITE_SYNCHRONOUS: 'normal',
    TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
    TOKENMETER_READ_TOKEN: TOKENS.read,
    TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
    TOKENMETER_ALERTMANAGER_TOKEN: TOKENS.alertmanager,
    TOKENMETER_LOG_LEVEL: 'warn',
    ...env,
  };
  const launch = async (extraEnv) => {
    // A shifted clock is injected by a test-only preload; the service itself has no clock setting.
    const preload = extraEnv.TOKENMETER_TEST_CLOCK_OFFSET_MS !== undefined ? ['--import', SHIFT_CLOCK] : [];
    const proc = startProcess(process.execPath, [...preload, CONTROL_PLANE_MAIN], { cwd: QUOTA_WEBHOOK_DIR, env: { ...baseEnv, ...extraEnv } });
    try {
      await waitForHttp(`${url}/readyz`, 20_000);
    } catch (error) {
      await proc.stop();
      throw withOutput(error, proc, 'the control plane did not become ready');
    }
    return proc;
  };
  const cp = { url, port, dbPath, process: await launch({}) };
  cp.restart = async (extraEnv = {}) => {
    await cp.process.stop();
    cp.process = await launch(extraEnv);
  };
  cp.stop = () => cp.process.stop();
  return cp;
}

/**
 * Alertmanager → (this proxy) → control plane. Keeps every webhook request
 * exactly as Alertmanager sent it (for order assertions, replay and latency
 * breakdowns) and forwards it unchanged with the response passed back.
 */
async function startWebhookRecorder(target) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const entry = { receivedMs: Date.now(), raw, body: JSON.parse(raw) };
      received.push(entry);
      fetch(`${target()}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: raw,
      })
        .then(async (response) => {
          const text = await response.text();
          entry.status = response.status;
          entry.response = text;
          res.writeHead(response.status, { 'content-type': 'application/json' }).end(text);
        })
        .catch((error) => {
          // The control plane is restarting: Alertmanager retries.
          entry.status = 502;
          res.writeHead(502).end(String(error));
        });
    });
  });
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  const port = server.address().port;
  return {
    url: `http://${HOST}:${port}${WEBHOOK_PATH}`,
    received,
    stop: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The instrumented service (apps/service.cjs) under `--require @tokenmeter/instrumentation/register`. */
async function startService({ controlPlaneUrl, mockUrl, metricsPort, reportIntervalMillis, env }) {
  const proc = startProcess(process.execPath, ['--require', '@tokenmeter/instrumentation/register', SERVICE_APP], {
    cwd: QUOTA_WEBHOOK_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      APP_PORT: '0',
      OPENAI_BASE_URL: `${mockUrl}/v1`,
      OTEL_SERVICE_NAME: 'e2e-service',
      OTEL_TRACES_EXPORTER: 'none',
      TOKENMETER_PROMETHEUS_HOST: HOST,
      TOKENMETER_PROMETHEUS_PORT: String(metricsPort),
      TOKENMETER_CONTROL_PLANE_URL: controlPlaneUrl,
      TOKENMETER_API_TOKEN: TOKENS.ingest,
      TOKENMETER_ENFORCEMENT: 'fail-open',
      TOKENMETER_REPORT_INTERVAL_MS: String(reportIntervalMillis),
      ...env,
    },
  });
  let port;
  try {
    port = await waitFor(
      () => {
        if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
        const line = proc.output().split('\n').find((l) => l.startsWith('READY '));
        return line === undefined ? undefined : Number(line.slice('READY '.length));
      },
      { timeoutMillis: 20_000, what: 'the instrumented service' },
    );
  } catch (error) {
    await proc.stop();
    throw withOutput(error, proc, 'the instrumented service did not start');
  }
  const url = `http://${HOST}:${port}`;
  const post = async (path, body = {}) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`service ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    url,
    process: proc,
    call: (request) => post('/call', request),
    check: (attribution) => post('/check', { attribution }),
    run: (request) => post('/run', request),
    flush: () => post('/flush'),
    stop: () => proc.stop(),
  };
}

/**
 * Starts the stack. Options: `reportIntervalMillis` (the SDK's, default
 * 1000), `groupIntervalSeconds` (Alertmanager, default 1; `null` keeps the
 * shipped values), `resetCheckMillis` (control plane, default its own 1000),
 * `controlPlaneEnv`, `serviceEnv`.
 */
export async function startStack(options = {}) {
  const started = [];
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-e2e-'));
  const stack = { tokens: TOKENS, dir };
  const stop = async () => {
    // Reverse order: the service first (it flushes to a live control plane), the mock last.
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    started.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [mock, controlPlane] = await Promise.all([
      startMockLlm({ host: HOST, port: 0 }),
      startControlPlane(dir, {
        ...(options.resetCheckMillis !== undefined ? { TOKENMETER_RESET_CHECK_MS: String(options.resetCheckMillis) } : {}),
        ...options.controlPlaneEnv,
      }),
    ]);
    started.push(mock, controlPlane);
    Object.assign(stack, { mock, controlPlane });

    const webhooks = await startWebhookRecorder(() => controlPlane.url);
    started.push(webhooks);
    stack.webhooks = webhooks.received;

    // The shipped alertmanager.yml (routes, inhibitions) with this receiver URL and token; a short group_interval unless `null`.
    const groupInterval = options.groupIntervalSeconds === undefined ? 1 : options.groupIntervalSeconds;
    const alertmanager = await startAlertmanager(
      deriveAlertmanagerConfig({
        webhookUrl: webhooks.url,
        credentials: TOKENS.alertmanager,
        ...(groupInterval === null ? {} : { groupIntervalSeconds: groupInterval }),
      }),
    );
    started.push(alertmanager);
    stack.alertmanager = alertmanager;

    const metricsPort = await freePort();
    const [prometheus, service] = await Promise.all([
      // The shipped prometheus.yml and rule files, scraping and evaluating every second.
      startPrometheus({
        config: derivePrometheusConfig({
          scrapeIntervalSeconds: 1,
          evaluationIntervalSeconds: 1,
          targets: { [JOBS.controlPlane]: [`${HOST}:${controlPlane.port}`], [JOBS.sdk]: [`${HOST}:${metricsPort}`] },
          alertmanagers: [`${HOST}:${alertmanager.port}`],
        }),
        files: ruleFiles(),
      }),
      startService({ controlPlaneUrl: controlPlane.url, mockUrl: mock.url, metricsPort, reportIntervalMillis: options.reportIntervalMillis ?? 1000, env: options.serviceEnv }),
    ]);
    started.push(prometheus, service);
    Object.assign(stack, { prometheus, service });
  } catch (error) {
    await stop();
    throw error;
  }

  /** One control plane request with a role's token: `{status, body}`. */
  stack.request = async (method, path, body, role = 'admin') => {
    const response = await fetch(`${stack.controlPlane.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKENS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  };
  /** Like `request`, but a non-2xx answer throws. */
  stack.api = async (method, path, body, role = 'admin') => {
    const { status, body: answer } = await stack.request(method, path, body, role);
    if (status < 200 || status > 299) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(answer)}`);
    return answer;
  };
  stack.stop = stop;
  return stack;
}
