/**
 * Crash safety of the real service: `node quota-webhook/dist/main.js` on a
 * SQLite file takes concurrent usage batches and is killed with SIGKILL in
 * the middle of them. Restarted on the same file, every acknowledged (2xx)
 * record is there, and the running totals equal a rebuild from the records.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForHttp, type ManagedProcess } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { TOKENS, record } from '../helpers.js';
import { totalsKey } from '../support/ledger.js';

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(PKG, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The test runs the built service: build it when dist is missing or older than src (what `npm test`'s typecheck does anyway). */
function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(PKG, 'src'))) return;
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-b', PKG], { stdio: 'pipe' });
}

let dir: string;
let port: number;
let child: ManagedProcess | undefined;

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TOKENMETER_CONTROL_PLANE_HOST: '127.0.0.1',
    TOKENMETER_CONTROL_PLANE_PORT: String(port),
    TOKENMETER_DB_URL: `file:${join(dir, 'ledger.db')}`,
    TOKENMETER_ADMIN_TOKEN: TOKENS.admin,
    TOKENMETER_INGEST_TOKEN: TOKENS.ingest,
    TOKENMETER_READ_TOKEN: TOKENS.read,
    TOKENMETER_LOG_LEVEL: 'warn',
  };
}

async function launch(): Promise<ManagedProcess> {
  const proc = startProcess(process.execPath, [MAIN], { env: env() });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 20_000);
  } catch (error) {
    await proc.kill();
    throw new Error(`the control plane did not start: ${(error as Error).message}\n${proc.output()}`, { cause: error });
  }
  return proc;
}

async function api(method: string, path: string, body?: unknown, token: keyof typeof TOKENS = 'admin'): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS[token]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tokenmeter-sigkill-'));
  port = await freePort();
}, 120_000);

afterAll(async () => {
  await child?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL mid-ingest', () => {
  it('keeps every acknowledged record, and totals equal a rebuild from the records', async () => {
    child = await launch();
    // A quota in a second zone, so two zones' totals are kept (and must both survive).
    expect((await api('POST', '/api/v1/quotas', { id: 'per-user', scope: 'user', subject: '*', metric: 'requests', period: 'day', timezone: 'Europe/Berlin', limit: 1e9 })).status).toBe(201);

    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    let failed = 0;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killing: Promise<void> | undefined;
    const BATCH = 100;
    const KILL_AFTER = 30; // acknowledged batches
    const time = Date.now();

    const worker = async (w: number): Promise<void> => {
      for (let b = 0; killing === undefined; b++) {
        const records = Array.from({ length: BATCH }, (_, i) => record({
          id: `w${w}-b${b}-r${i}`, user: `u${i % 13}`, department: `d${w}`, feature: `f${b % 5}`, org: 'acme',
          time: new Date(time - ((b * BATCH + i) % 7200) * 1000).toISOString(),
        }));
        for (const r of records) sent.add(r.id as string);
        inFlight++;
        try {
          const res = await api('POST', '/api/v1/usage', { records }, 'ingest');
          await res.arrayBuffer();
          if (res.status >= 200 && res.status < 300) {
            for (const r of records) acknowledged.add(r.id as string);
            if (acknowledged.size >= KILL_AFTER * BATCH && killing === undefined) {
              // The other workers' batches are in flight right now.
              inFlightAtKill = inFlight - 1;
              killing = child!.kill();
            }
          } else throw new Error(`HTTP ${res.status}`);
        } catch {
          failed++;
        } finally {
          inFlight--;
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
    await killing;
    expect(child.child.signalCode).toBe('SIGKILL');
    expect(inFlightAtKill).toBeGreaterThan(0); // batches cut off by the kill: their records may or may not be stored
    expect(acknowledged.size + failed * BATCH).toBe(sent.size);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER * BATCH);

    // Restart on the same file.
    child = await launch();
    const exported = await (await api('GET', '/api/v1/usage/export?format=json', undefined, 'read')).json() as { records: Array<{ id: string }> };
    const stored = new Set(exported.records.map((r) => r.id));
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    // Nothing appears that was never sent; whole batches only (a batch is one transaction).
    expect([...stored].every((id) => sent.has(id))).toBe(true);
    expect(stored.size % BATCH).toBe(0);
    expect(stored.size).toBeLessThanOrEqual(acknowledged.size + inFlightAtKill * BATCH + BATCH);

    // The quota's totals equal the records, and an audited rebuild through the API changes nothing.
    const status = async (): Promise<Array<{ subject: string; usage: number }>> =>
      (await (await api('GET', '/api/v1/quotas/per-user/status', undefined, 'read')).json() as { windows: Array<{ subject: string; usage: number }> }).windows;
    const before = await status();
    expect(before.reduce((a, w) => a + w.usage, 0)).toBeLessThanOrEqual(stored.size);
    const rebuilt = await api('POST', '/api/v1/admin/rebuild-totals');
    expect((await rebuilt.json() as { records: number }).records).toBe(stored.size);
    expect(await status()).toEqual(before);
    // And the service keeps ingesting: a replay of an acknowledged record is a duplicate.
    const replay = await api('POST', '/api/v1/usage', { records: [record({ id: [...acknowledged][0], time: new Date(time).toISOString() })] }, 'ingest');
    expect(await replay.json()).toEqual({ accepted: 0, duplicates: 1, unpriced: 0, rejected: [] });

    // Killed again (no drain), then every total of every zone is compared with a rebuild from the records, offline.
    await child.kill();
    const store = new SqliteStore(join(dir, 'ledger.db'));
    try {
      const zones = JSON.parse((await store.getMeta('timezones')) ?? '[]') as string[];
      expect(zones).toEqual(['UTC', 'Europe/Berlin']);
      expect(await store.countRecords()).toBe(stored.size);
      const running = totalsKey(await store.allTotals());
      await new Ledger(store, () => zones).rebuildTotals();
      expect(totalsKey(await store.allTotals())).toEqual(running);
      const monthOrg = (await store.allTotals(['UTC'])).filter((r) => r.period === 'month' && r.scope === 'org');
      expect(monthOrg.reduce((a, r) => a + r.requests, 0)).toBe(stored.size);
    } finally {
      await store.close();
    }
  }, 120_000);
});
