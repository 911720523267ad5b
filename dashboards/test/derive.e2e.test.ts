import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deriveAlertmanagerConfig, derivePrometheusConfig, JOBS, ruleFiles, WEBHOOK_RECEIVER } from '../index.js';
import { runTool } from './tool.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-derive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('configs derived from the shipped files (what tests and the demo run)', () => {
  it('Prometheus: other targets, 1 s intervals, the shipped rules; promtool accepts it', async () => {
    const text = derivePrometheusConfig({
      scrapeIntervalSeconds: 1,
      evaluationIntervalSeconds: 1,
      targets: { [JOBS.controlPlane]: ['127.0.0.1:1234'] },
      alertmanagers: ['127.0.0.1:4321'],
    });
    const config = parse(text) as { global: Record<string, string>; scrape_configs: Array<{ job_name: string; scrape_interval: string; static_configs: Array<{ targets: string[] }> }>; rule_files: string[]; alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> } };
    expect(config.global).toMatchObject({ scrape_interval: '1s', evaluation_interval: '1s' });
    expect(config.scrape_configs.map((j) => j.job_name)).toEqual([JOBS.controlPlane]);
    expect(config.scrape_configs[0]).toMatchObject({ scrape_interval: '1s', static_configs: [{ targets: ['127.0.0.1:1234'] }] });
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:4321']);
    expect(config.rule_files).toEqual(Object.keys(ruleFiles()));
    writeFileSync(join(dir, 'prometheus.yml'), text);
    for (const [name, content] of Object.entries(ruleFiles())) writeFileSync(join(dir, name), content);
    const result = await runTool('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(result.code, result.output).toBe(0);
  });

  it('rule files with another group interval: only groups that set one change; promtool accepts them', async () => {
    const fast = ruleFiles({ groupIntervalSeconds: 1 });
    expect(Object.keys(fast)).toEqual(Object.keys(ruleFiles()));
    const intervals = (text: string) => (parse(text) as { groups: Array<{ name: string; interval?: string }> }).groups.map((g) => [g.name, g.interval]);
    expect(intervals(fast['tokenmeter-recording.rules.yml']!)).toEqual([['tokenmeter-recording', '1s']]);
    expect(intervals(ruleFiles()['tokenmeter-recording.rules.yml']!)).toEqual([['tokenmeter-recording', '30s']]);
    expect(intervals(fast['tokenmeter-quotas.rules.yml']!).every(([, interval]) => interval === undefined)).toBe(true);
    const files = Object.entries(fast).map(([name, content]) => {
      writeFileSync(join(dir, `fast-${name}`), content);
      return join(dir, `fast-${name}`);
    });
    const result = await runTool('promtool', ['check', 'rules', ...files]);
    expect(result.code, result.output).toBe(0);
  });

  it('Prometheus: an unknown job name is an error', () => {
    expect(() => derivePrometheusConfig({ targets: { nope: ['x:1'] } })).toThrow(/no scrape job 'nope'/);
  });

  it('Alertmanager: another receiver URL, an inline token, 1 s intervals; amtool accepts it', async () => {
    const text = deriveAlertmanagerConfig({ webhookUrl: 'http://127.0.0.1:5555/api/v1/alerts/alertmanager', credentials: 's3cret', groupWaitSeconds: 1, groupIntervalSeconds: 1 });
    const config = parse(text) as { route: { group_wait: string; routes: Array<{ receiver: string; group_wait: string; group_interval: string }> }; receivers: Array<{ name: string; webhook_configs?: Array<{ url: string; http_config: { authorization: Record<string, string> } }> }>; inhibit_rules: unknown[] };
    const webhook = config.receivers.find((r) => r.name === WEBHOOK_RECEIVER)?.webhook_configs?.[0];
    expect(webhook?.url).toBe('http://127.0.0.1:5555/api/v1/alerts/alertmanager');
    expect(webhook?.http_config.authorization).toEqual({ type: 'Bearer', credentials: 's3cret' });
    expect(config.route.routes.find((r) => r.receiver === WEBHOOK_RECEIVER)).toMatchObject({ group_wait: '1s', group_interval: '1s' });
    expect(config.inhibit_rules).toHaveLength(3);
    writeFileSync(join(dir, 'alertmanager.yml'), text);
    const result = await runTool('amtool', ['check-config', join(dir, 'alertmanager.yml')]);
    expect(result.code, result.output).toBe(0);
  });
});
