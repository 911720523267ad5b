// `npm start`: the whole stack on this machine with a demo workload, no Docker.
//
//   mock LLM provider :8300   (the only fake: OpenAI and Anthropic wire formats)
//   control plane     :9470   (ledger, quotas, Alertmanager receiver, enforcement feed)
//   collector         :4318 OTLP/HTTP, :8889 metrics
//   demo service      :9464 metrics (instrumented by --import register.mjs, no code change)
//   Prometheus        :9090   and Alertmanager :9093, when the Debian packages are installed
//
// Every port moves with the variable its service reads (scripts/demo/ports.mjs).
// State lives in .tmp/demo, or TOKENMETER_DEMO_DIR (delete it to start from a
// clean state). Ctrl-C, or SIGINT/SIGTERM to the `npm start` process, stops
// everything in order; TOKENMETER_DEMO_SECONDS=n stops by itself after n seconds.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paths } from '@tokenmeter/dashboards';
import { findBinary, waitForHttp } from '@tokenmeter/testkit';
import { writeMonitoringConfig } from './demo/monitoring.mjs';
import { portConflict, readPorts } from './demo/ports.mjs';
import { printLines, Processes } from './demo/processes.mjs';
import { adminClient, seed } from './demo/seed.mjs';
import { Story } from './demo/story.mjs';
import { summaryLines } from './demo/summary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const stateDir = process.env.TOKENMETER_DEMO_DIR || join(root, '.tmp', 'demo');
const HOST = '127.0.0.1';
// Demo tokens: the services refuse anonymous writes. Not secrets; a real
// deployment sets its own TOKENMETER_*_TOKEN.
const TOKENS = { admin: 'demo-admin', read: 'demo-read', ingest: 'demo-ingest', alertmanager: 'demo-alertmanager', otlp: 'demo-otlp' };
// Stop order: the sources of usage first, so that their last records reach a
// control plane that is still up; the control plane last.
const STOP_RANK = { 'demo-service': 0, collector: 1, prometheus: 2, alertmanager: 3, 'mock-llm': 4, 'control-plane': 5 };

function fail(message) {
  console.error(`tokenmeter start: ${message}`);
  process.exit(2);
}

let PORTS;
try {
  PORTS = readPorts();
} catch (error) {
  fail(error.message);
}
const controlPlaneUrl = `http://${HOST}:${PORTS.controlPlane}`;

/** A Debian-installed binary, or undefined (the demo then runs without it). */
function optionalBinary(...names) {
  try {
    return findBinary(names, names[0]);
  } catch {
    return undefined;
  }
}

const processes = new Processes({
  cwd: root,
  onUnexpectedExit: (name, how) => {
    printLines(name, `exited (${how}); stopping the demo`);
    void stop(1);
  },
});
let story;
let summaryTimer;
let prometheusUrl;
let stopping;

/** Prints the summary; the final one (Prometheus stopped by then) without the rate. */
function summary(final = false) {
  return summaryLines({ controlPlaneUrl, readToken: TOKENS.read, prometheusUrl: final ? undefined : prometheusUrl })
    .then((lines) => lines.forEach((line) => printLines('summary', `${final ? 'final: ' : ''}${line}`)))
    .catch((error) => printLines('summary', `(cannot read the ledger: ${error instanceof Error ? error.message : String(error)})`));
}

/** Stops everything once, in STOP_RANK order; the last events and totals are read before the control plane stops. */
function stop(code) {
  stopping ??= (async () => {
    clearInterval(summaryTimer);
    printLines('demo', 'stopping: the demo service first, the control plane last');
    await processes.stopBelow(STOP_RANK['control-plane']);
    if (processes.started.some((p) => p.name === 'control-plane')) {
      await story?.stop();
      await summary(true);
    }
    const stopped = await processes.stopAll();
    printLines('demo', `stopped: ${stopped.length === 0 ? 'nothing was running' : `${stopped.join(', ')} have exited`}; state kept in ${stateDir} (delete it to start from a clean state)`);
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(0));
// The process that started us is gone (a terminal closed, npm killed): stop rather than leave the demo orphaned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 1000).unref();

async function main() {
  const prometheusBin = optionalBinary('prometheus');
  const alertmanagerBin = optionalBinary('prometheus-alertmanager', 'alertmanager');
  const monitoring = prometheusBin !== undefined && alertmanagerBin !== undefined;
  const wanted = ['mock', 'controlPlane', 'otlp', 'collectorMetrics', 'sdkMetrics', ...(monitoring ? ['prometheus', 'alertmanager'] : [])];
  const conflict = await portConflict(PORTS, wanted, HOST);
  if (conflict !== undefined) fail(conflict);
  mkdirSync(stateDir, { recursive: true });
  const startedAt = Date.now();

  processes.start('mock-llm', process.execPath, ['tools/mock-llm/dist/main.js', '--port', String(PORTS.mock), '--host', HOST], { stopRank: STOP_RANK['mock-llm'] });
  processes.start('control-plane', process.execPath, ['quota-webhook/dist/main.js'], {
    stopRank: STOP_RANK['control-plane'],
    env: {
      TOKENMETER_CONTROL_PLANE_HOST: HOST,
      TOKENMETER_CONTROL_PLANE_PORT: String(PORTS.controlPlane),
      TOKENMETER_DB_URL: join(stateDir, 'tokenmeter.db'),
      TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
      TOKENMETER_READ_TOKEN: TOKENS.read,
      TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
      TOKENMETER_ALERTMANAGER_TOKEN: TOKENS.alertmanager,
      TOKENMETER_LOG_LEVEL: 'warn',
    },
  });
  await waitForHttp(`http://${HOST}:${PORTS.mock}/_mock/requests`, 30_000);
  await waitForHttp(`${controlPlaneUrl}/readyz`, 30_000);
  await seed(adminClient(controlPlaneUrl, TOKENS.admin));

  processes.start('collector', process.execPath, ['collector-processor/dist/main.js'], {
    stopRank: STOP_RANK.collector,
    env: {
      TOKENMETER_COLLECTOR_HOST: HOST,
      TOKENMETER_COLLECTOR_OTLP_PORT: String(PORTS.otlp),
      TOKENMETER_COLLECTOR_METRICS_PORT: String(PORTS.collectorMetrics),
      // What senders must present: the collector forwards to the ledger, so its OTLP port is not open to anyone.
      TOKENMETER_COLLECTOR_OTLP_TOKEN: TOKENS.otlp,
      TOKENMETER_CONTROL_PLANE_URL: controlPlaneUrl,
      TOKENMETER_API_TOKEN: TOKENS.ingest,
      TOKENMETER_LOG_LEVEL: 'warn',
    },
  });

  const alertmanagerUrl = monitoring ? `http://${HOST}:${PORTS.alertmanager}` : undefined;
  if (monitoring) {
    const tokenFile = join(stateDir, 'alertmanager-token');
    writeFileSync(tokenFile, TOKENS.alertmanager, { mode: 0o600 });
    const config = writeMonitoringConfig(stateDir, {
      targets: { sdk: `${HOST}:${PORTS.sdkMetrics}`, collector: `${HOST}:${PORTS.collectorMetrics}`, controlPlane: `${HOST}:${PORTS.controlPlane}` },
      alertmanager: `${HOST}:${PORTS.alertmanager}`,
      webhookUrl: `${controlPlaneUrl}/api/v1/alerts/alertmanager`,
      credentialsFile: tokenFile,
    });
    processes.start('alertmanager', alertmanagerBin, [
      `--config.file=${config.alertmanagerConfig}`,
      `--storage.path=${join(stateDir, 'alertmanager', 'data')}`,
      `--web.listen-address=${HOST}:${PORTS.alertmanager}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ], { stopRank: STOP_RANK.alertmanager });
    processes.start('prometheus', prometheusBin, [
      `--config.file=${config.prometheusConfig}`,
      `--storage.tsdb.path=${join(stateDir, 'prometheus', 'data')}`,
      `--web.listen-address=${HOST}:${PORTS.prometheus}`,
      // Fast enforcement: re-send firing alerts every second, not every minute.
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ], { stopRank: STOP_RANK.prometheus });
    prometheusUrl = `http://${HOST}:${PORTS.prometheus}`;
    await waitForHttp(`${prometheusUrl}/-/ready`, 30_000);
  } else {
    printLines('demo', 'prometheus / prometheus-alertmanager not installed (Debian packages): running without them, so no alerts');
  }

  await waitForHttp(`http://${HOST}:${PORTS.collectorMetrics}/metrics`, 30_000);
  processes.start('demo-service', process.execPath, ['--import', '@tokenmeter/instrumentation/register.mjs', 'scripts/demo/service.mjs'], {
    stopRank: STOP_RANK['demo-service'],
    env: {
      OTEL_SERVICE_NAME: 'demo-service',
      TOKENMETER_ORG: 'acme',
      OTEL_EXPORTER_PROMETHEUS_HOST: HOST,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(PORTS.sdkMetrics),
      TOKENMETER_CONTROL_PLANE_URL: controlPlaneUrl,
      TOKENMETER_API_TOKEN: TOKENS.ingest,
      // Spans go to the collector (which does not count our own spans again).
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${HOST}:${PORTS.otlp}`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${TOKENS.otlp}`,
      OTEL_TRACES_EXPORTER: 'otlp',
      OPENAI_BASE_URL: `http://${HOST}:${PORTS.mock}/v1`,
      OPENAI_API_KEY: 'demo',
      ANTHROPIC_BASE_URL: `http://${HOST}:${PORTS.mock}`,
      ANTHROPIC_API_KEY: 'demo',
    },
  });
  await waitForHttp(`http://${HOST}:${PORTS.sdkMetrics}/metrics`, 30_000);
  if (stopping !== undefined) return;

  const dashboards = readdirSync(paths.grafanaDashboardsDir).filter((name) => name.endsWith('.json')).sort();
  console.log(`
tokenmeter demo is running (Ctrl-C stops it; state in ${stateDir}):
  demo service metrics   http://${HOST}:${PORTS.sdkMetrics}/metrics
  control plane API      ${controlPlaneUrl}/api/v1/openapi.json  (read token: ${TOKENS.read}, admin: ${TOKENS.admin})
  control plane metrics  ${controlPlaneUrl}/metrics
  collector              OTLP http://${HOST}:${PORTS.otlp}  metrics http://${HOST}:${PORTS.collectorMetrics}/metrics${
    prometheusUrl === undefined
      ? ''
      : `
  Prometheus             ${prometheusUrl}/alerts
  Alertmanager           ${alertmanagerUrl}
  Grafana                add a Prometheus data source with URL ${prometheusUrl}, then import
                         ${dashboards.map((name) => join(paths.grafanaDashboardsDir, name)).join('\n                         ')}`
  }
  try: curl -s -H 'authorization: Bearer ${TOKENS.read}' '${controlPlaneUrl}/api/v1/usage?group_by=user'

  [story] lines: quota thresholds reached, Alertmanager's calls, blocks and resets, as the control plane reports them.
  [summary] every 10 s: the ledger's exact spend all time and this hour, the blocks, Prometheus's current rate.
`);

  story = new Story({ controlPlaneUrl, readToken: TOKENS.read, alertmanagerUrl, since: startedAt });
  story.start(1000);
  summaryTimer = setInterval(() => void summary(), 10_000);
  const seconds = Number(process.env.TOKENMETER_DEMO_SECONDS ?? '0');
  if (seconds > 0) setTimeout(() => void stop(0), seconds * 1000);
}

main().catch((error) => {
  if (stopping !== undefined) return; // a signal came during start-up: stop() is already at work
  console.error(`tokenmeter start: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
