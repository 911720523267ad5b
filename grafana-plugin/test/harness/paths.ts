/** Where the plugin, its build and the harness artefacts live. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_DIR = resolve(PLUGIN_DIR, '..');
export const DIST_DIR = join(PLUGIN_DIR, 'dist');
export const TMP_DIR = join(PLUGIN_DIR, '.tmp');
export const HARNESS_OUT = join(TMP_DIR, 'harness');
export const SCREENSHOT_DIR = join(TMP_DIR, 'screenshots');
export const DASHBOARDS_DIR = join(REPO_DIR, 'dashboards', 'grafana', 'dashboards');
export const PLUGIN_ID = 'tokenmeter-costs-app';
