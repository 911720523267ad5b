/**
 * The SDK at the edges of a process's life, in real child processes:
 * fail-closed waits (bounded) for the first enforcement state instead of
 * refusing a healthy start-up, and SIGTERM/SIGINT deliver the buffered usage
 * before the process ends, without changing how it ends.
 */
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { startProcess, waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EnforcementState } from '../../src/protocol.js';
import { INSTRUMENTATION_DIR } from '../fixtures/run-app.js';
import { startUsageServer, type UsageServer } from '../fixtures/usage-server.js';

const STARTS = new URL('../fixtures/starts/', import.meta.url).pathname;
// Real child processes; slow on a loaded machine, never a timing assertion.
vi.setConfig({ testTimeout: 120_000 });
let mock: RunningMockLlm;

beforeAll(async () => {
  mock = await startMockLlm();
});
afterAll(async () => {
  await mock.stop();
});

function env(controlPlane: UsageServer, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    OPENAI_BASE_URL: `${mock.url}/v1`,
    OPENAI_API_KEY: 'test',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    TOKENMETER_CONTROL_PLANE_URL: controlPlane.url,
    ...extra,
  };
}

async function runToEnd(args: string[], environment: NodeJS.ProcessEnv): Promise<string> {
  const child = startProcess(process.execPath, args, { cwd: INSTRUMENTATION_DIR, env: environment });
  const code = await child.exited;
  expect(code, child.output()).toBe(0);
  return child.output();
}

describe('fail-closed at start-up', () => {
  const now = new Date().toISOString();
  const state: EnforcementState = {
    revision: 3,
    generated_at: now,
    blocks: [{ id: 'b1', scope: 'user', subject: 'mallory', reason: 'manual', since: now }],
    providers: [],
  };

  it('the first call waits for the first state instead of calling a healthy control plane unreachable; the state then decides', async () => {
    const controlPlane = await startUsageServer({ state });
    try {
      const hook = ['--import', '@tokenmeter/instrumentation/register.mjs', `${STARTS}first-call.mjs`];
      const allowed = await runToEnd(hook, env(controlPlane, { TOKENMETER_ENFORCEMENT: 'fail-closed', TOKENMETER_USER: 'alice' }));
      expect(allowed.trim()).toBe('ALLOWED');
      const blocked = await runToEnd(hook, env(controlPlane, { TOKENMETER_ENFORCEMENT: 'fail-closed', TOKENMETER_USER: 'mallory' }));
      expect(blocked).toMatch(/^REFUSED QuotaExceededError tokenmeter: user "mallory" is blocked/);
      // Without the wait (0 ms), the same start-up is refused: what the wait fixes.
      const noWait = await runToEnd(hook, env(controlPlane, { TOKENMETER_ENFORCEMENT: 'fail-closed', TOKENMETER_ENFORCEMENT_STARTUP_WAIT_MS: '0', TOKENMETER_USER: 'alice' }));
      expect(noWait).toMatch(/^REFUSED ProviderUnavailableError tokenmeter: the control plane is unreachable/);
    } finally {
      await controlPlane.stop();
    }
  });

  it('an unreachable control plane is refused after the bounded wait', async () => {
    const controlPlane = await startUsageServer();
    await controlPlane.stop(); // nothing listens there any more
    const output = await runToEnd(['--import', '@tokenmeter/instrumentation/register.mjs', `${STARTS}first-call.mjs`], env(controlPlane, {
      TOKENMETER_ENFORCEMENT: 'fail-closed',
      TOKENMETER_ENFORCEMENT_STARTUP_WAIT_MS: '300',
    }));
    expect(output).toMatch(/REFUSED ProviderUnavailableError tokenmeter: the control plane is unreachable/);
    expect(output).toContain('no enforcement state from');
  });
});

describe('stopping: SIGTERM and SIGINT deliver the buffered usage first', () => {
  async function stopAfterCalls(signal: NodeJS.Signals, extra: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; stored: number }> {
    const controlPlane = await startUsageServer();
    try {
      // Reports would go out only after a minute: whatever arrives was flushed by the signal.
      const child = startProcess(process.execPath, ['--require', '@tokenmeter/instrumentation/register', `${STARTS}stopping.cjs`], {
        cwd: INSTRUMENTATION_DIR,
        env: env(controlPlane, { TOKENMETER_REPORT_INTERVAL_MS: '60000', TOKENMETER_ENFORCEMENT: 'off', ...extra }),
      });
      await waitFor(() => child.output().includes('READY'), { what: `the service to be ready:\n${child.output()}` });
      expect(controlPlane.stored()).toHaveLength(0);
      child.child.kill(signal);
      const code = await child.exited;
      return { code, signal: child.child.signalCode, output: child.output(), stored: controlPlane.stored().length };
    } finally {
      await controlPlane.stop();
    }
  }

  it('an app without a handler: the records are delivered, then the process ends by the same signal', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const result = await stopAfterCalls(signal);
      expect({ signal: result.signal, code: result.code, stored: result.stored }).toEqual({ signal, code: null, stored: 3 });
    }
  });

  it("an app with its own handler keeps control of its exit (here: code 7, 200 ms later); the records are delivered", async () => {
    const result = await stopAfterCalls('SIGTERM', { APP_HANDLER: '1' });
    expect(result.output).toContain('APP-HANDLER');
    expect({ signal: result.signal, code: result.code, stored: result.stored }).toEqual({ signal: null, code: 7, stored: 3 });
  });

  it('an app that calls process.exit() at once: delivered synchronously on the way out', async () => {
    const controlPlane = await startUsageServer();
    try {
      await runToEnd(
        ['--require', '@tokenmeter/instrumentation/register', '-e', `${'new (require("openai").OpenAI)({ maxRetries: 0 }).chat.completions.create({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "x" }] }).then(() => process.exit(0))'}`],
        env(controlPlane, { TOKENMETER_REPORT_INTERVAL_MS: '60000', TOKENMETER_ENFORCEMENT: 'off' }),
      );
      expect(controlPlane.stored()).toHaveLength(1);
    } finally {
      await controlPlane.stop();
    }
  });
});
