// `npm start`: the whole stack on this machine with a demo workload, no Docker.
//
//   mock LLM provider :8300   (the only fake: OpenAI and Anthropic wire formats)
//   control plane     :9470   (ledger, quotas, Alertmanager receiver, enforcement feed)
//   collector         :4318 OTLP/HTTP, :8889 metrics
//   demo service      :9464 metrics (instrumented by --import register.mjs, no code change)
//   Prometheus        :9090   and Alertmanager :9093, when the Debian packages are installed
//
// Every port can be moved with an environment variable (see PORTS). State
// lives in .tmp/demo, or TOKENMETER_DEMO_DIR (delete it to start over). Ctrl-C stops everything.
// TOKENMETER_DEMO_SECONDS=n stops by itself after n seconds.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveAlertmanagerConfig, derivePrometheusConfig, paths, ruleFiles } from '@tokenmeter/dashboards';
import { findBinary, waitForHttp } from '@tokenmeter/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = process.env.TOKENMETER_DEMO_DIR || join(root, '.tmp', 'demo');
const HOST = '127.0.0.1';

const PORTS = {
  mock: portFrom('TOKENMETER_MOCK_LLM_PORT', 8300),
  controlPlane: portFrom('TOKENMETER_CONTROL_PLANE_PORT', 9470),
  otlp: portFrom('TOKENMETER_OTLP_PORT', 4318),
  collectorMetrics: portFrom('TOKENMETER_METRICS_PORT', 8889),
  sdkMetrics: portFrom('TOKENMETER_PROMETHEUS_PORT', 9464),
  prometheus: portFrom('PROMETHEUS_PORT', 9090),
  alertmanager: portFrom('ALERTMANAGER_PORT', 9093),
};
// Demo tokens: the control plane refuses anonymous writes. Not secrets; a real
// deployment sets its own TOKENMETER_*_TOKEN.
const TOKENS = { admin: 'demo-admin', read: 'demo-read', ingest: 'demo-ingest', alertmanager: 'demo-alertmanager' };
const controlPlaneUrl = `http://${HOST}:${PORTS.controlPlane}`;

function portFrom(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name}="${raw}" must be a port number from 1 to 65535`);
  return port;
}

function fail(message) {
  console.error(`tokenmeter start: ${message}`);
  process.exit(2);
}

/** A Debian-installed binary, or undefined (the demo then runs without it). */
function optionalBinary(...names) {
  try {
    return findBinary(names, names[0]);
  } catch {
    return undefined;
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

const children = [];
let stopping = false;

/** Starts a child with its output prefixed by its name; any unexpected exit stops the demo. */
function run(name, command, args, env = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `.padEnd(16);
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? `code ${code}`}); stopping the demo`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

async function api(method, path, body) {
  const response = await fetch(`${controlPlaneUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Directory, quotas and provider settings for the demo org. */
async function seed() {
  const people = { alice: 'support', bob: 'support', carol: 'research', dave: 'research', erin: 'engineering', frank: 'engineering' };
  for (const [user, department] of Object.entries(people)) {
    await api('PUT', `/directory/users/${user}`, { department, org: 'acme' });
  }
  const quotas = [
    // frank calls a lot: his hard hourly quota blocks him within minutes (80/90/100 % alerts on the way).
    { id: 'user-hourly-cost', name: 'Per-user hourly spend', scope: 'user', subject: '*', overrides: { frank: 0.01 }, metric: 'cost', period: 'hour', limit: 0.05, enforcement: 'hard' },
    { id: 'research-monthly', name: 'Research monthly budget', scope: 'department', subject: 'research', metric: 'cost', period: 'month', limit: 25, enforcement: 'soft' },
    { id: 'org-daily-tokens', name: 'Org daily tokens', scope: 'org', subject: 'acme', metric: 'tokens', period: 'day', limit: 5_000_000, enforcement: 'soft' },
  ];
  for (const { id, ...quota } of quotas) await api('PUT', `/quotas/${id}`, quota);
  await api('PUT', '/providers/acme/openai', { enabled: true, priority: 1, limits: { hourly_requests: 100_000 } });
  await api('PUT', '/providers/acme/anthropic', { enabled: true, priority: 2, limits: { hourly_requests: 100_000 } });
}

async function summary(prometheusUrl) {
  const read = { authorization: `Bearer ${TOKENS.read}` };
  const byDepartment = await (await fetch(`${controlPlaneUrl}/api/v1/usage?group_by=department`, { headers: read })).json();
  const blocks = await (await fetch(`${controlPlaneUrl}/api/v1/blocks`, { headers: read })).json();
  const spend = byDepartment.groups.map((g) => `${g.key ?? '(none)'} $${Number(g.cost_usd).toFixed(4)} (${g.requests} calls)`).join(', ');
  let line = `ledger: ${spend || 'no calls yet'}; blocks: ${blocks.blocks.map((b) => `${b.scope}:${b.subject}`).join(', ') || 'none'}`;
  if (prometheusUrl !== undefined) {
    const query = encodeURIComponent('sum(rate(tokenmeter_cost_total[1m])) * 3600');
    const result = await (await fetch(`${prometheusUrl}/api/v1/query?query=${query}`)).json().catch(() => undefined);
    const value = result?.data?.result?.[0]?.value?.[1];
    if (value !== undefined) line += `; Prometheus hourly rate $${Number(value).toFixed(4)}/h`;
  }
  console.log(`[summary]       ${line}`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // Newest first, one at a time: the demo service flushes its usage records
  // to a control plane that is still up.
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

async function main() {
  const prometheusBin = optionalBinary('prometheus');
  const alertmanagerBin = optionalBinary('prometheus-alertmanager', 'alertmanager');
  const wanted = Object.entries(PORTS).filter(([name]) => (name === 'prometheus' ? prometheusBin : name === 'alertmanager' ? alertmanagerBin : true));
  for (const [name, port] of wanted) {
    if (!(await portFree(port))) fail(`port ${port} (${name}) is in use: stop what holds it or move it with its variable (see scripts/start.js)`);
  }
  mkdirSync(stateDir, { recursive: true });

  run('mock-llm', process.execPath, ['tools/mock-llm/dist/main.js', '--port', String(PORTS.mock), '--host', HOST]);
  run('control-plane', process.execPath, ['quota-webhook/dist/main.js'], {
    TOKENMETER_CONTROL_PLANE_HOST: HOST,
    TOKENMETER_CONTROL_PLANE_PORT: String(PORTS.controlPlane),
    TOKENMETER_DB_URL: join(stateDir, 'tokenmeter.db'),
    TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
    TOKENMETER_READ_TOKEN: TOKENS.read,
    TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
    TOKENMETER_ALERTMANAGER_TOKEN: TOKENS.alertmanager,
    TOKENMETER_LOG_LEVEL: 'warn',
  });
  await waitForHttp(`http://${HOST}:${PORTS.mock}/_mock/requests`, 30_000);
  await waitForHttp(`${controlPlaneUrl}/readyz`, 30_000);
  await seed();

  run('collector', process.execPath, ['collector-processor/dist/main.js'], {
    TOKENMETER_COLLECTOR_HOST: HOST,
    TOKENMETER_OTLP_PORT: String(PORTS.otlp),
    TOKENMETER_METRICS_PORT: String(PORTS.collectorMetrics),
    TOKENMETER_CONTROL_PLANE_URL: controlPlaneUrl,
    TOKENMETER_API_TOKEN: TOKENS.ingest,
    TOKENMETER_LOG_LEVEL: 'warn',
  });

  let prometheusUrl;
  if (prometheusBin !== undefined && alertmanagerBin !== undefined) {
    const dir = join(stateDir, 'prometheus');
    mkdirSync(dir, { recursive: true });
    const rules = ruleFiles();
    for (const [name, content] of Object.entries(rules)) writeFileSync(join(dir, name), content);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      derivePrometheusConfig({
        // A demo answers quickly: every target scraped every 5 s.
        scrapeIntervalSeconds: 5,
        targets: {
          'tokenmeter-sdk': [`${HOST}:${PORTS.sdkMetrics}`],
          'tokenmeter-collector': [`${HOST}:${PORTS.collectorMetrics}`],
          'tokenmeter-control-plane': [`${HOST}:${PORTS.controlPlane}`],
        },
        alertmanagers: [`${HOST}:${PORTS.alertmanager}`],
      }),
    );
    const amDir = join(stateDir, 'alertmanager');
    mkdirSync(amDir, { recursive: true });
    writeFileSync(join(amDir, 'token'), TOKENS.alertmanager, { mode: 0o600 });
    writeFileSync(
      join(amDir, 'alertmanager.yml'),
      deriveAlertmanagerConfig({ webhookUrl: `${controlPlaneUrl}/api/v1/alerts/alertmanager`, credentialsFile: join(amDir, 'token') }),
    );
    run('alertmanager', alertmanagerBin, [
      `--config.file=${join(amDir, 'alertmanager.yml')}`,
      `--storage.path=${join(amDir, 'data')}`,
      `--web.listen-address=${HOST}:${PORTS.alertmanager}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    run('prometheus', prometheusBin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${HOST}:${PORTS.prometheus}`,
      // Fast enforcement: re-send firing alerts every second, not every minute.
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ]);
    prometheusUrl = `http://${HOST}:${PORTS.prometheus}`;
    await waitForHttp(`${prometheusUrl}/-/ready`, 30_000);
  } else {
    console.log('tokenmeter start: prometheus / prometheus-alertmanager not installed (Debian packages); running without them');
  }

  await waitForHttp(`http://${HOST}:${PORTS.collectorMetrics}/metrics`, 30_000);
  run('demo-service', process.execPath, ['--import', '@tokenmeter/instrumentation/register.mjs', 'scripts/demo/service.mjs'], {
    OTEL_SERVICE_NAME: 'demo-service',
    TOKENMETER_ORG: 'acme',
    TOKENMETER_PROMETHEUS_HOST: HOST,
    TOKENMETER_PROMETHEUS_PORT: String(PORTS.sdkMetrics),
    TOKENMETER_CONTROL_PLANE_URL: controlPlaneUrl,
    TOKENMETER_API_TOKEN: TOKENS.ingest,
    // Spans go to the collector (which does not count our own spans again).
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${HOST}:${PORTS.otlp}`,
    OTEL_TRACES_EXPORTER: 'otlp',
    OPENAI_BASE_URL: `http://${HOST}:${PORTS.mock}/v1`,
    OPENAI_API_KEY: 'demo',
    ANTHROPIC_BASE_URL: `http://${HOST}:${PORTS.mock}`,
    ANTHROPIC_API_KEY: 'demo',
  });
  await waitForHttp(`http://${HOST}:${PORTS.sdkMetrics}/metrics`, 30_000);

  console.log(`
tokenmeter demo is running (Ctrl-C stops it):
  demo service metrics   http://${HOST}:${PORTS.sdkMetrics}/metrics
  control plane API      ${controlPlaneUrl}/api/v1/openapi.json  (read token: ${TOKENS.read}, admin: ${TOKENS.admin})
  control plane metrics  ${controlPlaneUrl}/metrics
  collector              OTLP http://${HOST}:${PORTS.otlp}  metrics http://${HOST}:${PORTS.collectorMetrics}/metrics${
    prometheusUrl === undefined
      ? ''
      : `
  Prometheus             ${prometheusUrl}/alerts
  Alertmanager           http://${HOST}:${PORTS.alertmanager}`
  }
  try: curl -s -H 'authorization: Bearer ${TOKENS.read}' '${controlPlaneUrl}/api/v1/usage?group_by=user'
  Grafana dashboards for this stack: ${paths.grafanaDashboardsDir}
`);

  const every = setInterval(() => void summary(prometheusUrl).catch((error) => console.log(`[summary]       ${String(error)}`)), 10_000);
  const seconds = Number(process.env.TOKENMETER_DEMO_SECONDS ?? '0');
  if (seconds > 0) {
    setTimeout(() => {
      clearInterval(every);
      void summary(prometheusUrl).finally(() => stop(0));
    }, seconds * 1000);
  }
}

main().catch((error) => {
  console.error(`tokenmeter start: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
