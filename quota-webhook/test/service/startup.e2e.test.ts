/** Start-up failures print one line naming the setting and what to do, and exit non-zero (no stack trace). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tokenmeter/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', TOKENMETER_LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr.trim() };
}

describe('start-up failures', () => {
  it('a port in use names TOKENMETER_CONTROL_PLANE_PORT', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = run({ TOKENMETER_CONTROL_PLANE_PORT: String(port), TOKENMETER_DB_URL: ':memory:' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`tokenmeter control plane: TOKENMETER_CONTROL_PLANE_PORT=${port}: 127.0.0.1:${port} is already in use; stop what listens there or choose another port`);
    } finally {
      blocker.close();
    }
  });

  it('an unreadable SQLite path names TOKENMETER_DB_URL', () => {
    const file = join(dir, 'not-a-db');
    writeFileSync(file, 'this is not a database '.repeat(100));
    const r = run({ TOKENMETER_CONTROL_PLANE_PORT: '0', TOKENMETER_DB_URL: file });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^tokenmeter control plane: TOKENMETER_DB_URL=${file}: cannot open the SQLite database \\(.+\\); check the path exists and is writable$`));
    const missingDir = run({ TOKENMETER_CONTROL_PLANE_PORT: '0', TOKENMETER_DB_URL: join(dir, 'no', 'such', 'dir', 'x.db') });
    expect(missingDir.stderr).toMatch(/^tokenmeter control plane: TOKENMETER_DB_URL=.*: cannot open the SQLite database/);
  });

  it('Postgres refusing the connection names TOKENMETER_DB_URL without the password', async () => {
    const port = await freePort();
    const r = run({ TOKENMETER_CONTROL_PLANE_PORT: '0', TOKENMETER_DB_URL: `postgres://u:secret@127.0.0.1:${port}/db` });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tokenmeter control plane: TOKENMETER_DB_URL=postgres://u:***@127.0.0.1:${port}/db: Postgres is not reachable (ECONNREFUSED); start it or fix the host and port`);
  });

  it('an unsupported URL scheme and bad numbers are configuration errors (exit 2, every variable named)', () => {
    const r = run({ TOKENMETER_DB_URL: 'mysql://db/x', TOKENMETER_CONTROL_PLANE_PORT: '0x1F90' });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('TOKENMETER_CONTROL_PLANE_PORT: must be a whole number');
    expect(r.stderr).toContain('TOKENMETER_DB_URL: scheme "mysql:" is not supported');
  });
});
