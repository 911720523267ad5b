import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAlertmanager, waitFor, type RunningAlertmanager } from '@tokenmeter/testkit';
import { deriveAlertmanagerConfig } from '../index.js';

interface AlertStatus {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: string; inhibitedBy: string[] };
}

const quotaLabels = (subject: string, threshold: string, severity: string): Record<string, string> => ({
  alertname: 'TokenmeterQuotaThreshold',
  quota_id: 'q-hard',
  scope: 'department',
  subject,
  metric: 'cost',
  period: 'month',
  enforcement: 'hard',
  threshold,
  severity,
  tokenmeter_action: threshold === '100' ? 'block' : 'notify',
});

describe('Alertmanager inhibition (the real binary, the shipped config)', () => {
  let am: RunningAlertmanager;

  beforeAll(async () => {
    // Nothing listens on this port: notifications fail, inhibition does not depend on them.
    const closed = await freePort();
    am = await startAlertmanager(deriveAlertmanagerConfig({ webhookUrl: `http://127.0.0.1:${closed}/api/v1/alerts/alertmanager`, credentials: 'test-token' }));
  });
  afterAll(async () => {
    await am?.stop();
  });

  async function post(alerts: Array<Record<string, string>>): Promise<void> {
    const response = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map((labels) => ({ labels, annotations: {}, startsAt: new Date().toISOString() }))),
    });
    expect(response.status).toBe(200);
  }

  async function statuses(): Promise<AlertStatus[]> {
    const response = await fetch(`${am.url}/api/v2/alerts`);
    return (await response.json()) as AlertStatus[];
  }

  const key = (a: AlertStatus): string => `${a.labels.subject}/${a.labels.threshold}`;

  it('90 inhibits 80; 100 inhibits 80 and 90; only for the same quota and subject', async () => {
    await post([quotaLabels('research', '80', 'warning'), quotaLabels('sales', '80', 'warning')]);
    await post([quotaLabels('research', '90', 'warning')]);
    const afterNinety = await waitFor(async () => {
      const all = await statuses();
      const byKey = new Map(all.map((a) => [key(a), a]));
      return byKey.get('research/80')?.status.state === 'suppressed' ? byKey : undefined;
    }, { what: 'the 80 % alert to be inhibited by 90 %' });
    expect(afterNinety.get('research/80')?.status.inhibitedBy).toEqual([afterNinety.get('research/90')?.fingerprint]);
    expect(afterNinety.get('research/90')?.status.state).toBe('active');
    expect(afterNinety.get('sales/80')?.status.state).toBe('active');

    await post([quotaLabels('research', '100', 'critical')]);
    const afterHundred = await waitFor(async () => {
      const all = await statuses();
      const byKey = new Map(all.map((a) => [key(a), a]));
      return byKey.get('research/90')?.status.state === 'suppressed' ? byKey : undefined;
    }, { what: 'the 90 % alert to be inhibited by 100 %' });
    const hundred = afterHundred.get('research/100')?.fingerprint;
    expect(afterHundred.get('research/100')?.status.state).toBe('active');
    expect(afterHundred.get('research/90')?.status.inhibitedBy).toContain(hundred);
    // Alertmanager names the first inhibiting rule only: 80 stays muted (by 90 or 100).
    expect(afterHundred.get('research/80')?.status.state).toBe('suppressed');
    expect([hundred, afterHundred.get('research/90')?.fingerprint]).toContain(afterHundred.get('research/80')?.status.inhibitedBy[0]);
    expect(afterHundred.get('sales/80')?.status.state).toBe('active');
  });

  it('a custom threshold below 100 is inhibited by the critical alert of its quota', async () => {
    await post([quotaLabels('ops', '50', 'warning'), quotaLabels('ops', '100', 'critical')]);
    const byKey = await waitFor(async () => {
      const all = await statuses();
      const map = new Map(all.map((a) => [key(a), a]));
      return map.get('ops/50')?.status.state === 'suppressed' ? map : undefined;
    }, { what: 'the 50 % alert to be inhibited' });
    expect(byKey.get('ops/50')?.status.inhibitedBy).toEqual([byKey.get('ops/100')?.fingerprint]);
  });
});
