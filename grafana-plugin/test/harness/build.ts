/** Builds the plugin (`npm run build`, webpack) and the harness bundle (esbuild), once per test run. */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { HARNESS_OUT, PLUGIN_DIR, REPO_DIR } from './paths.js';

const run = promisify(execFile);

export async function buildPlugin(): Promise<void> {
  await run('npm', ['run', 'build'], { cwd: PLUGIN_DIR, maxBuffer: 64 * 1024 * 1024 });
}

/** The host page's bundle: the npm builds of every module Grafana shares with plugins, plus the harness itself. */
export async function buildHarness(): Promise<string> {
  mkdirSync(HARNESS_OUT, { recursive: true });
  const outfile = join(HARNESS_OUT, 'harness.js');
  await build({
    entryPoints: [join(PLUGIN_DIR, 'harness', 'host.tsx')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: false,
    sourcemap: false,
    logLevel: 'error',
    alias: {
      'grafana-runtime-plugin-page': join(REPO_DIR, 'node_modules/@grafana/runtime/dist/esm/components/PluginPage.mjs'),
    },
    define: {
      'process.env.NODE_ENV': '"production"',
      global: 'window',
      // UMD bundles inside must not see SystemJS's AMD `define` (they would register with it instead of exporting).
      define: 'undefined',
    },
    loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty', '.css': 'empty' },
  });
  return outfile;
}
