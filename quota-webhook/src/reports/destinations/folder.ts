/**
 * The folder destination: the file appears under its final name complete or
 * not at all. It is written to a hidden temporary file in the same folder,
 * flushed to disk (fsync), then renamed over the final name (atomic on one
 * file system), and the folder is fsynced so the rename survives a crash. A
 * writer killed mid-way leaves only a `.…tmp` file, which later deliveries
 * to that folder remove once it is older than an hour.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { DeliveryContext, DeliveryResult } from './types.js';

const TEMP = /^\..+\.[0-9a-f]{12}\.tmp$/;
export const STALE_TEMP_MILLIS = 3_600_000;

/** `root/path`, refusing anything that resolves outside `root`. */
export function folderUnder(root: string, path: string): string {
  const dir = resolve(root, path);
  const rel = relative(root, dir);
  if (rel.startsWith('..') || resolve(root, rel) !== dir) throw new Error(`folder ${path} resolves outside the folder root`);
  return dir;
}

/** Removes temporary files of interrupted writes older than `olderThanMillis`. */
export async function removeStaleTemps(dir: string, olderThanMillis = STALE_TEMP_MILLIS, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!TEMP.test(name)) continue;
    const p = join(dir, name);
    const s = await stat(p).catch(() => undefined);
    if (s && now - s.mtimeMs >= olderThanMillis) {
      await rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}

/** Writes `source` to `dir/filename` atomically (temp file, fsync, rename, fsync the folder); returns the final path. */
export async function writeAtomically(dir: string, filename: string, source: AsyncIterable<Uint8Array | string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const finalPath = join(dir, filename);
  const temp = join(dir, `.${filename}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx', 0o644);
  try {
    for await (const chunk of source) await fh.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    await fh.sync();
  } catch (error) {
    await fh.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await fh.close();
  try {
    await rename(temp, finalPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  return finalPath;
}

export class FolderDestination {
  constructor(
    private readonly _root: string,
    private readonly _path: string,
    private readonly _filename: string,
  ) {}

  async deliver(ctx: DeliveryContext): Promise<DeliveryResult> {
    const dir = folderUnder(this._root, this._path);
    await removeStaleTemps(dir);
    const written = await writeAtomically(dir, this._filename, createReadStream(ctx.file.path));
    return { attempts: 1, detail: written };
  }
}
