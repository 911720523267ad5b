/** Tests that run the built package (child processes, the CLI) build it first when `dist` is missing or older than `src`. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  // tsc rewrites the build info on every build that changed something; an up-to-date build writes nothing.
  const marker = join(PKG, 'tsconfig.tsbuildinfo');
  if (existsSync(join(PKG, 'dist', 'reports', 'cli', 'main.js')) && existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(PKG, 'src'))) return;
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-b', PKG], { stdio: 'pipe' });
}
