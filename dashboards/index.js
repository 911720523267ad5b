// Paths of the shipped files and helpers that derive run-time configs from
// them (other ports, faster intervals, a token file), so tests and the demo
// run exactly the rules and routes that ship. Plain JS: the demo launcher
// (`scripts/start.js`) imports it without a build step.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const dashboardsDir = dirname(fileURLToPath(import.meta.url));

export const paths = {
  prometheusConfig: join(dashboardsDir, 'prometheus', 'prometheus.yml'),
  rulesDir: join(dashboardsDir, 'prometheus', 'rules'),
  ruleExamplesDir: join(dashboardsDir, 'prometheus', 'examples'),
  ruleTestsDir: join(dashboardsDir, 'prometheus', 'tests'),
  alertmanagerConfig: join(dashboardsDir, 'alertmanager', 'alertmanager.yml'),
  grafanaDashboardsDir: join(dashboardsDir, 'grafana', 'dashboards'),
  grafanaProvisioningDir: join(dashboardsDir, 'grafana', 'provisioning'),
};

/** Job names of the reference Prometheus config. */
export const JOBS = {
  sdk: 'tokenmeter-sdk',
  collector: 'tokenmeter-collector',
  controlPlane: 'tokenmeter-control-plane',
};

/** Name of the Alertmanager receiver that posts to the control plane. */
export const WEBHOOK_RECEIVER = 'tokenmeter-webhook';

/**
 * The shipped rule files (`prometheus/rules/*.rules.yml`): file name → content.
 * With `groupIntervalSeconds`, every group that sets its own `interval` gets
 * that one instead (tests evaluate the 30 s recording group every second).
 */
export function ruleFiles(options = {}) {
  const files = {};
  for (const name of readdirSync(paths.rulesDir).filter((n) => n.endsWith('.rules.yml')).sort()) {
    const text = readFileSync(join(paths.rulesDir, name), 'utf8');
    if (options.groupIntervalSeconds === undefined) {
      files[name] = text;
      continue;
    }
    const file = parse(text);
    for (const group of file.groups ?? []) if (group.interval !== undefined) group.interval = `${options.groupIntervalSeconds}s`;
    files[name] = stringify(file);
  }
  return files;
}

/**
 * The shipped prometheus.yml with other targets, Alertmanagers, intervals and
 * rule file names. With `targets`, jobs not named in it are dropped.
 */
export function derivePrometheusConfig(options = {}) {
  const config = parse(readFileSync(paths.prometheusConfig, 'utf8'));
  const seconds = (value) => `${value}s`;
  if (options.scrapeIntervalSeconds !== undefined) config.global.scrape_interval = seconds(options.scrapeIntervalSeconds);
  if (options.evaluationIntervalSeconds !== undefined) config.global.evaluation_interval = seconds(options.evaluationIntervalSeconds);
  if (options.targets !== undefined) {
    const targets = options.targets;
    for (const name of Object.keys(targets)) {
      if (!config.scrape_configs.some((job) => job.job_name === name)) throw new Error(`no scrape job '${name}' in ${paths.prometheusConfig}`);
    }
    config.scrape_configs = config.scrape_configs.filter((job) => targets[job.job_name] !== undefined && targets[job.job_name].length > 0);
    for (const job of config.scrape_configs) job.static_configs = [{ targets: targets[job.job_name] }];
  }
  if (options.scrapeIntervalSeconds !== undefined) {
    for (const job of config.scrape_configs) job.scrape_interval = seconds(options.scrapeIntervalSeconds);
  }
  if (options.alertmanagers !== undefined) {
    config.alerting.alertmanagers = [{ static_configs: [{ targets: options.alertmanagers }] }];
  }
  config.rule_files = options.ruleFiles ?? Object.keys(ruleFiles());
  return stringify(config);
}

/**
 * The shipped alertmanager.yml with the control plane's receiver URL, the
 * receiver token (a file path, or the token itself) and, when given, other
 * group_wait/group_interval/repeat_interval on every route.
 */
export function deriveAlertmanagerConfig(options = {}) {
  const config = parse(readFileSync(paths.alertmanagerConfig, 'utf8'));
  const receiver = config.receivers.find((r) => r.name === WEBHOOK_RECEIVER);
  if (receiver === undefined) throw new Error(`no receiver '${WEBHOOK_RECEIVER}' in ${paths.alertmanagerConfig}`);
  const webhook = receiver.webhook_configs[0];
  if (options.webhookUrl !== undefined) webhook.url = options.webhookUrl;
  if (options.credentials !== undefined) webhook.http_config.authorization = { type: 'Bearer', credentials: options.credentials };
  if (options.credentialsFile !== undefined) webhook.http_config.authorization = { type: 'Bearer', credentials_file: options.credentialsFile };
  const routes = [config.route, ...(config.route.routes ?? [])];
  for (const route of routes) {
    if (options.groupWaitSeconds !== undefined) route.group_wait = `${options.groupWaitSeconds}s`;
    if (options.groupIntervalSeconds !== undefined) route.group_interval = `${options.groupIntervalSeconds}s`;
    if (options.repeatIntervalSeconds !== undefined) route.repeat_interval = `${options.repeatIntervalSeconds}s`;
  }
  return stringify(config);
}
