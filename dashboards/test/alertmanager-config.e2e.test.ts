import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { paths, WEBHOOK_RECEIVER } from '../index.js';
import { runTool } from './tool.js';

/** Receivers amtool's routing tree picks for an alert with these labels. */
async function receiversFor(labels: Record<string, string>): Promise<string[]> {
  const args = ['config', 'routes', 'test', `--config.file=${paths.alertmanagerConfig}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const result = await runTool('amtool', args);
  expect(result.code, result.output).toBe(0);
  const line = result.output.split('\n').find((l) => l.trim() !== '' && !l.startsWith('Warning'));
  return (line ?? '').trim().split(',');
}

describe('Alertmanager config (amtool)', () => {
  it('amtool check-config accepts the shipped alertmanager.yml', async () => {
    const result = await runTool('amtool', ['check-config', paths.alertmanagerConfig]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('3 inhibit rules');
  });

  it('a hard quota at 100 % goes to the webhook and pages', async () => {
    expect(await receiversFor({ alertname: 'TokenmeterQuotaThreshold', threshold: '100', severity: 'critical', tokenmeter_action: 'block', quota_id: 'q', scope: 'user', subject: 'u' })).toEqual([
      WEBHOOK_RECEIVER,
      'pager',
    ]);
  });

  it('an 80 % warning goes to the webhook and the team channel', async () => {
    expect(await receiversFor({ alertname: 'TokenmeterQuotaThreshold', threshold: '80', severity: 'warning', tokenmeter_action: 'notify', quota_id: 'q', scope: 'user', subject: 'u' })).toEqual([
      WEBHOOK_RECEIVER,
      'team-notifications',
    ]);
  });

  it('an operator rule with tokenmeter_action=block reaches the webhook', async () => {
    expect(await receiversFor({ alertname: 'TokenmeterRunawayFeature', severity: 'critical', tokenmeter_action: 'block', scope: 'feature', subject: 'summarize' })).toEqual([
      WEBHOOK_RECEIVER,
      'pager',
    ]);
  });

  it('alerts without tokenmeter_action never reach the webhook', async () => {
    expect(await receiversFor({ alertname: 'TokenmeterControlPlaneDown', severity: 'critical' })).toEqual(['pager']);
    expect(await receiversFor({ alertname: 'TokenmeterCostSpike', severity: 'warning' })).toEqual(['team-notifications']);
    expect(await receiversFor({ alertname: 'Other' })).toEqual(['team-notifications']);
  });

  it('the webhook sends resolutions with the receiver token, each alert in its own group', () => {
    const config = parse(readFileSync(paths.alertmanagerConfig, 'utf8')) as {
      route: { routes: Array<{ receiver: string; group_by: string[]; continue?: boolean; group_wait: string }> };
      receivers: Array<{ name: string; webhook_configs?: Array<{ url: string; send_resolved: boolean; http_config: { authorization: { type: string; credentials_file: string } } }> }>;
    };
    const route = config.route.routes.find((r) => r.receiver === WEBHOOK_RECEIVER);
    expect(route).toMatchObject({ group_by: ['...'], continue: true, group_wait: '1s' });
    const webhook = config.receivers.find((r) => r.name === WEBHOOK_RECEIVER)?.webhook_configs?.[0];
    expect(webhook).toMatchObject({ url: 'http://127.0.0.1:9470/api/v1/alerts/alertmanager', send_resolved: true });
    expect(webhook?.http_config.authorization.type).toBe('Bearer');
    expect(webhook?.http_config.authorization.credentials_file).toMatch(/token$/);
  });
});
