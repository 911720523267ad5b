/**
 * Test helper: the real control plane (`quota-webhook/dist/main.js`, built by
 * `npx tsc -b quota-webhook`) as a child process on a free port with its own
 * SQLite file, that can be killed and started again on the same port and data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForHttp, type ManagedProcess } from '@tokenmeter/testkit';
import type { ControlLinkOptions } from '../../src/control/index.js';

const MAIN = fileURLToPath(new URL('../../../quota-webhook/dist/main.js', import.meta.url));

export interface TestControlPlane {
  url: string;
  adminToken: string;
  ingestToken: string;
  /** Calls the REST API with the admin token; throws with the answer on a non-2xx status. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** SIGKILL (the fail-open / fail-closed tests). */
  kill(): Promise<void>;
  /** Starts it again on the same port and database. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
  output(): string;
}

export async function startControlPlane(env: Record<string, string> = {}): Promise<TestControlPlane> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-cp-'));
  const adminToken = 'admin-token-for-tests';
  const ingestToken = 'ingest-token-for-tests';
  const url = `http://127.0.0.1:${port}`;
  let child: ManagedProcess | undefined;
  let previousOutput = '';

  async function launch(): Promise<void> {
    child = startProcess(process.execPath, [MAIN], {
      env: {
        ...process.env,
        TOKENMETER_CONTROL_PLANE_HOST: '127.0.0.1',
        TOKENMETER_CONTROL_PLANE_PORT: String(port),
        TOKENMETER_DB_URL: `file:${join(dir, 'tokenmeter.db')}`,
        TOKENMETER_ADMIN_TOKEN: adminToken,
        TOKENMETER_INGEST_TOKEN: ingestToken,
        TOKENMETER_LOG_LEVEL: 'warn',
        TOKENMETER_SSE_COALESCE_MS: '50',
        ...env,
      },
    });
    try {
      await waitForHttp(`${url}/readyz`, 20_000);
    } catch (error) {
      throw new Error(`the control plane did not start: ${(error as Error).message}\n${child.output()}`, { cause: error });
    }
  }
  await launch();

  return {
    url,
    adminToken,
    ingestToken,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
    async kill() {
      previousOutput += child?.output() ?? '';
      await child?.kill();
    },
    async restart() {
      await launch();
    },
    async stop() {
      await child?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => previousOutput + (child?.output() ?? ''),
  };
}

/** Link options for tests: this control plane with the ingest token, quick reporting, polling and reconnects, no price refresh, silent. */
export function testLinkOptions(cp: TestControlPlane, options: Partial<ControlLinkOptions> = {}): ControlLinkOptions {
  return {
    url: cp.url,
    token: cp.ingestToken,
    enforcement: 'fail-open',
    reportIntervalMillis: 100,
    maxBufferedRecords: 10_000,
    pollIntervalMillis: 200,
    reconnectInitialMillis: 50,
    reconnectMaxMillis: 200,
    priceRefreshMillis: 0,
    logger: { warn: () => undefined, info: () => undefined },
    ...options,
  };
}
