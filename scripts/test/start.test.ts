// `npm start` is half of the README's contract: run the launcher as a user
// would (on free ports, for a bounded time) and check that the demo's calls
// reach the ledger and, where the Debian packages are installed, Prometheus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess } from '@tokenmeter/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-demo-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start', () => {
  it('runs the stack, and the demo service\'s calls are priced in the ledger and seen by Prometheus', async () => {
    const env: Record<string, string> = { TOKENMETER_DEMO_DIR: dir, TOKENMETER_DEMO_SECONDS: '25', DEMO_CALLS_PER_SECOND: '10' };
    for (const name of ['TOKENMETER_MOCK_LLM_PORT', 'TOKENMETER_CONTROL_PLANE_PORT', 'TOKENMETER_OTLP_PORT', 'TOKENMETER_METRICS_PORT', 'TOKENMETER_PROMETHEUS_PORT', 'PROMETHEUS_PORT', 'ALERTMANAGER_PORT']) {
      env[name] = String(await freePort());
    }
    const launcher = startProcess(process.execPath, ['scripts/start.js'], { cwd: root, env: { ...process.env, ...env } });
    const code = await launcher.exited;
    const output = launcher.output();
    expect(code, output.slice(-4000)).toBe(0);
    expect(output).toContain('tokenmeter demo is running');
    const summaries = output.split('\n').filter((line) => line.startsWith('[summary]'));
    const last = summaries[summaries.length - 1] ?? '';
    // e.g. "ledger: engineering $0.0130 (111 calls), …; blocks: …; Prometheus hourly rate $1.3227/h"
    const calls = [...last.matchAll(/\((\d+) calls\)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(calls, last).toBeGreaterThan(50);
    expect(last).toMatch(/\$0\.\d*[1-9]/);
    expect(last).toMatch(/Prometheus hourly rate \$\d+\.\d+\/h/);
    expect(output).not.toMatch(/call failed/);
  });
});
