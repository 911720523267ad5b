// Prometheus and Alertmanager configs of the demo, derived from the shipped
// files in dashboards/ (same rules, routes and inhibitions): one definition for
// `npm start` (targets on 127.0.0.1) and for docker-compose's one-shot
// `monitoring-config` service (targets by service name), e.g.
//
//   node scripts/demo/monitoring.mjs --out /config --sdk demo-service:9464 --collector collector:8889 \
//     --control-plane control-plane:9470 --alertmanager alertmanager:9093 \
//     --credentials-file /etc/alertmanager/tokenmeter-alertmanager-token
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deriveAlertmanagerConfig, derivePrometheusConfig, JOBS, ruleFiles } from '@tokenmeter/dashboards';

/** A demo answers quickly: every target scraped every 5 s. */
export const DEMO_SCRAPE_INTERVAL_SECONDS = 5;

/**
 * Writes `<out>/prometheus/prometheus.yml` with the shipped rule files beside
 * it, and `<out>/alertmanager/alertmanager.yml`; returns both config paths.
 * `targets` are host:port of the SDK's, the collector's and the control
 * plane's metrics; `credentialsFile` holds the receiver's token as
 * Alertmanager will see it.
 */
export function writeMonitoringConfig(out, { targets, alertmanager, webhookUrl, credentialsFile }) {
  const prometheusDir = join(out, 'prometheus');
  const alertmanagerDir = join(out, 'alertmanager');
  mkdirSync(prometheusDir, { recursive: true });
  mkdirSync(alertmanagerDir, { recursive: true });
  for (const [name, content] of Object.entries(ruleFiles())) writeFileSync(join(prometheusDir, name), content);
  const prometheusConfig = join(prometheusDir, 'prometheus.yml');
  writeFileSync(
    prometheusConfig,
    derivePrometheusConfig({
      scrapeIntervalSeconds: DEMO_SCRAPE_INTERVAL_SECONDS,
      targets: { [JOBS.sdk]: [targets.sdk], [JOBS.collector]: [targets.collector], [JOBS.controlPlane]: [targets.controlPlane] },
      alertmanagers: [alertmanager],
    }),
  );
  const alertmanagerConfig = join(alertmanagerDir, 'alertmanager.yml');
  writeFileSync(alertmanagerConfig, deriveAlertmanagerConfig({ webhookUrl, credentialsFile }));
  return { prometheusConfig, alertmanagerConfig };
}

function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      sdk: { type: 'string' },
      collector: { type: 'string' },
      'control-plane': { type: 'string' },
      alertmanager: { type: 'string' },
      'credentials-file': { type: 'string' },
    },
    strict: true,
  });
  const missing = ['out', 'sdk', 'collector', 'control-plane', 'alertmanager', 'credentials-file'].filter((name) => values[name] === undefined);
  if (missing.length > 0) {
    console.error(`tokenmeter monitoring config: missing ${missing.map((name) => `--${name}`).join(', ')}`);
    process.exit(2);
  }
  const written = writeMonitoringConfig(values.out, {
    targets: { sdk: values.sdk, collector: values.collector, controlPlane: values['control-plane'] },
    alertmanager: values.alertmanager,
    webhookUrl: `http://${values['control-plane']}/api/v1/alerts/alertmanager`,
    credentialsFile: values['credentials-file'],
  });
  console.log(`tokenmeter monitoring config: wrote ${written.prometheusConfig} and ${written.alertmanagerConfig}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
