import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paths, ruleFiles } from '../index.js';
import { runTool } from './tool.js';

const yml = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.yml')).sort().map((n) => join(dir, n));
const scratch = mkdtempSync(join(tmpdir(), 'tokenmeter-dashboards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Prometheus rules and config (promtool)', () => {
  it('ships the quota, recording and anomaly rule files (and loads every *.rules.yml of the folder)', () => {
    expect(Object.keys(ruleFiles())).toEqual(expect.arrayContaining([
      'tokenmeter-anomalies.rules.yml',
      'tokenmeter-quotas.rules.yml',
      'tokenmeter-recording.rules.yml',
    ]));
    expect(Object.keys(ruleFiles())).toEqual(yml(paths.rulesDir).map((f) => f.split('/').pop()).filter((n) => n?.endsWith('.rules.yml')));
  });

  it('promtool check rules accepts every shipped and example rule file', async () => {
    const files = [...yml(paths.rulesDir), ...yml(paths.ruleExamplesDir)];
    const result = await runTool('promtool', ['check', 'rules', ...files]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('tokenmeter-quotas.rules.yml');
  });

  it('promtool test rules passes every unit test file (thresholds, severities, actions, recording, anomalies, operator rule)', async () => {
    const tests = yml(paths.ruleTestsDir);
    expect(tests.map((t) => t.split('/').pop())).toEqual(expect.arrayContaining([
      'anomalies.test.yml',
      'operator-rule.test.yml',
      'quotas.test.yml',
      'recording.test.yml',
    ]));
    const result = await runTool('promtool', ['test', 'rules', ...tests], paths.ruleTestsDir);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain('FAILED');
  });

  it('promtool test rules catches a wrong expectation (the harness can fail)', async () => {
    const broken = join(scratch, 'broken.test.yml');
    writeFileSync(
      broken,
      [
        'rule_files: [' + JSON.stringify(join(paths.rulesDir, 'tokenmeter-quotas.rules.yml')) + ']',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - series: 'tokenmeter_quota_utilization{quota_id="q",scope="user",subject="u",metric="cost",period="day",enforcement="hard"}'`,
        "        values: '0.79x3'",
        `      - series: 'tokenmeter_quota_threshold{quota_id="q",scope="user",subject="u",metric="cost",period="day",enforcement="hard",threshold="80"}'`,
        "        values: '0.8x3'",
        '    alert_rule_test:',
        '      - eval_time: 2m',
        '        alertname: TokenmeterQuotaThreshold',
        '        exp_alerts:',
        '          - exp_labels: {severity: warning, tokenmeter_action: notify, threshold: "80", quota_id: q, scope: user, subject: u, metric: cost, period: day, enforcement: hard}',
        '',
      ].join('\n'),
    );
    const result = await runTool('promtool', ['test', 'rules', broken]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });

  it('promtool check config accepts the reference prometheus.yml with its rule files', async () => {
    const result = await runTool('promtool', ['check', 'config', paths.prometheusConfig]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`${Object.keys(ruleFiles()).length} rule files found`);
  });
});
