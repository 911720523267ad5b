/**
 * `tokenmeter report` (the built bin) against a running control plane: it
 * writes the same file the API serves, under the served name by default, and
 * exits 1 with the control plane's message when the report is refused, 2 on
 * bad usage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, startTestServer, type TestServer } from '../helpers.js';
import { PKG, ensureBuilt } from './build.js';
import { NOW, ingest, runReport, seedRecords } from './support.js';

const run = promisify(execFile);
const CLI = join(PKG, 'dist', 'reports', 'cli', 'main.js');
let t: TestServer;
let dir: string;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tokenmeter-cli-'));
  t = await startTestServer({ now: NOW });
  await ingest(t, seedRecords({ from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-20T00:00:00Z'), count: 300 }));
}, 120_000);

afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tokenmeter report', () => {
  it('writes the report the API serves, under its name', async () => {
    const r = await cli(['report', '--url', t.url, '--token', TOKENS.read, '--kind', 'usage', '--format', 'csv', '--period', 'month_to_date',
      '--group-by', 'department,model', '--granularity', 'week', '--timezone', 'Europe/Berlin', '--filter', 'org=acme']);
    expect(r.stderr).toBe(`${join(dir, 'tokenmeter-usage-2026-03-01_2026-03-20.csv')}\n`);
    expect(r.code).toBe(0);
    const api = await runReport(t, { kind: 'usage', format: 'csv', period: 'month_to_date', group_by: ['department', 'model'], granularity: 'week', timezone: 'Europe/Berlin', filters: { org: 'acme' } });
    expect(readFileSync(join(dir, 'tokenmeter-usage-2026-03-01_2026-03-20.csv')).equals(api.body)).toBe(true);
  });

  it('takes a definition file, the token from TOKENMETER_API_TOKEN and the URL from TOKENMETER_CONTROL_PLANE_URL; --out names the file', async () => {
    writeFileSync(join(dir, 'def.json'), JSON.stringify({ kind: 'audit', format: 'json', filters: { department: 'eng' } }));
    const r = await cli(['report', '--definition', 'def.json', '--from', '2026-03-02', '--to', '2026-03-04', '--out', 'out/audit.json'],
      { TOKENMETER_API_TOKEN: TOKENS.read, TOKENMETER_CONTROL_PLANE_URL: t.url });
    expect(r.code).toBe(0);
    const api = await runReport(t, { kind: 'audit', format: 'json', filters: { department: 'eng' }, period: { from: '2026-03-02', to: '2026-03-04' } });
    expect(readFileSync(join(dir, 'out', 'audit.json')).equals(api.body)).toBe(true);
    expect(readdirSync(join(dir, 'out'))).toEqual(['audit.json']);
  });

  it('exits 1 with the control plane\'s message when it refuses, and writes nothing', async () => {
    const before = readdirSync(dir).sort();
    const refused = await cli(['report', '--url', t.url, '--token', TOKENS.read, '--kind', 'usage', '--timezone', 'Mars/Olympus']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 400: invalid request body: timezone: must be an IANA time zone such as Europe/Berlin');
    const unauthorised = await cli(['report', '--url', t.url, '--token', 'wrong', '--kind', 'usage']);
    expect(unauthorised.code).toBe(1);
    expect(unauthorised.stderr).toContain('HTTP 401: unknown bearer token');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli(['report', '--url', t.url, '--kind', 'nonsense'])).code).toBe(2);
    expect((await cli(['report', '--url', t.url])).stderr).toContain('--kind');
    expect((await cli(['report', '--url', t.url, '--kind', 'usage', '--from', '2026-03-01'])).code).toBe(2);
    expect((await cli(['report', '--kind', 'usage'], { TOKENMETER_CONTROL_PLANE_URL: '' })).stderr).toContain('--url');
  });
});
