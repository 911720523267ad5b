/**
 * The folder destination never leaves a partial file under the report's name:
 * a child process writing through the real (built) folder destination is
 * SIGKILLed in the middle of the write; the final name does not exist, only a
 * hidden temporary file does, and the next delivery to the folder removes it
 * once stale and writes the complete file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleTemps, writeAtomically } from '../../src/reports/destinations/folder.js';
import { ensureBuilt } from './build.js';

const WRITER = fileURLToPath(new URL('./fixtures/folder-writer.mjs', import.meta.url));
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tokenmeter-folder-kill-'));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writer(mode: 'hang' | 'complete'): { child: ReturnType<typeof spawn>; out: () => string; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, [WRITER, dir, 'report.csv', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, out: () => out, exited };
}

describe('folder destination killed mid-write', () => {
  it('leaves no file under the final name, only a temporary one that the next delivery clears', async () => {
    const w = writer('hang');
    await waitFor(() => w.out().includes('mid-write'), { what: 'the writer to be mid-write' });
    const temps = readdirSync(dir);
    expect(temps).toHaveLength(1);
    expect(temps[0]).toMatch(/^\.report\.csv\.[0-9a-f]{12}\.tmp$/);
    expect(statSync(join(dir, temps[0]!)).size).toBe(1 << 20);
    w.child.kill('SIGKILL');
    expect(await w.exited).toBe('SIGKILL');
    expect(existsSync(join(dir, 'report.csv'))).toBe(false);
    expect(readdirSync(dir)).toEqual(temps);

    // The next delivery: stale temporary files go, the report arrives whole.
    expect(await removeStaleTemps(dir, 0)).toBe(1);
    await writeAtomically(dir, 'report.csv', Readable.from([Buffer.from('a,b\r\n1,2\r\n')]));
    expect(readdirSync(dir)).toEqual(['report.csv']);
    expect(readFileSync(join(dir, 'report.csv'), 'utf8')).toBe('a,b\r\n1,2\r\n');
  });

  it('replaces the file whole when the writer finishes', async () => {
    const w = writer('complete');
    expect(await w.exited).toBe(0);
    expect(readdirSync(dir)).toEqual(['report.csv']);
    expect(statSync(join(dir, 'report.csv')).size).toBe(2 * (1 << 20) + 4);
  });

  it('a fresh temporary file (a write in progress elsewhere) is left alone', async () => {
    const w = writer('hang');
    await waitFor(() => w.out().includes('mid-write'), { what: 'the writer to be mid-write' });
    expect(await removeStaleTemps(dir)).toBe(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    w.child.kill('SIGKILL');
    await w.exited;
    // The complete report from before is still there, untouched.
    expect(statSync(join(dir, 'report.csv')).size).toBe(2 * (1 << 20) + 4);
  });
});
