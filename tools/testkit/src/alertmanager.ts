import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { freePort } from './ports.js';
import { awaitReady, startProcess, type ManagedProcess } from './process.js';

export interface RunningAlertmanager {
  url: string;
  port: number;
  dir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts the real Alertmanager (Debian `prometheus-alertmanager`) with `config`
 * (alertmanager.yml content), clustering off, on a free loopback port.
 */
export async function startAlertmanager(config: string, files: Record<string, string> = {}): Promise<RunningAlertmanager> {
  const binary = findBinary(['prometheus-alertmanager', 'alertmanager'], 'prometheus-alertmanager');
  const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const port = await freePort();
  const proc = startProcess(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { cwd: dir },
  );
  const url = `http://127.0.0.1:${port}`;
  await awaitReady(proc, `${url}/-/ready`, 'alertmanager');
  return {
    url,
    port,
    dir,
    process: proc,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
