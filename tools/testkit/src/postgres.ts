import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresBinDir } from './binaries.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';
import { waitFor } from './wait.js';

export interface RunningPostgres {
  /** `postgres://…` URL of database `tokenmeter`. */
  url: string;
  port: number;
  process: ManagedProcess;
  /** Creates an empty database (a fresh name unless given) and answers its `postgres://…` URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL server (Debian `postgresql`) on a free loopback
 * port with trust auth. As root it runs as the `postgres` (or `nobody`) user,
 * since the server refuses to run as root.
 */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const runAs = asRoot ? pickUser() : undefined;
  const wrap = (command: string, args: string[]): [string, string[]] =>
    runAs === undefined ? [command, args] : ['runuser', ['-u', runAs, '--', command, ...args]];
  const [initCmd, initArgs] = wrap(`${bin}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [cmd, args] = wrap(`${bin}/postgres`, [
    '-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ]);
  const proc = startProcess(cmd, args);
  const [psqlCmd, psqlArgs] = wrap(`${bin}/psql`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE tokenmeter']);
  try {
    await waitFor(
      () => {
        execFileSync(psqlCmd, psqlArgs, { stdio: 'pipe' });
        return true;
      },
      { timeoutMillis: 30_000, intervalMillis: 200, what: 'postgres to accept connections' },
    );
  } catch (error) {
    await proc.stop();
    throw new Error(`postgres did not start: ${String(error)}\n${proc.output().slice(-4000)}`, { cause: error });
  }
  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let databases = 0;
  return {
    url: url('tokenmeter'),
    port,
    process: proc,
    async createDatabase(name = `db${++databases}_${process.pid}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`database name "${name}": lower-case letters, digits and _ only`);
      const [command, args] = wrap(`${bin}/psql`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', `CREATE DATABASE ${name}`]);
      await promisify(execFile)(command, args);
      return url(name);
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pickUser(): string {
  for (const name of ['postgres', 'nobody']) {
    try {
      execFileSync('id', ['-u', name], { stdio: 'pipe' });
      return name;
    } catch {
      // try the next one
    }
  }
  throw new Error('no unprivileged user to run postgres as');
}
