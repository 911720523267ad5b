/** The store core suite on SQLite (a file per test, as the service runs it). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/index.js';
import { defineCoreSuite } from './core-suite.js';
import { defineDerivedSuite } from './derived-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-sqlite-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

defineCoreSuite({
  kind: 'sqlite',
  fresh: async () => ({ dbUrl: loadConfig({ TOKENMETER_DB_URL: `file:${join(dir, `db-${++n}.sqlite`)}` }).dbUrl }),
});

defineDerivedSuite({
  kind: 'sqlite',
  fresh: async () => ({ dbUrl: loadConfig({ TOKENMETER_DB_URL: `file:${join(dir, `db-${++n}.sqlite`)}` }).dbUrl }),
});
