/**
 * The plugin's unit and component tests run with the scaffold's runner (Jest,
 * jsdom, Testing Library). This file runs that suite once and reports each of
 * its tests here, with its failure messages, so `npm test` counts them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { PLUGIN_DIR, TMP_DIR } from './harness/paths.js';

interface JestAssertion {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'todo' | 'skipped' | 'disabled';
  failureMessages: string[];
}
interface JestReport {
  testResults: Array<{ name: string; message: string; status: string; assertionResults: JestAssertion[] }>;
}

mkdirSync(TMP_DIR, { recursive: true });
const out = join(TMP_DIR, 'jest-results.json');
rmSync(out, { force: true });
let runError = '';
try {
  await promisify(execFile)('npx', ['jest', '--ci', '--json', `--outputFile=${out}`, '--maxWorkers=2'], {
    cwd: PLUGIN_DIR,
    maxBuffer: 64 * 1024 * 1024,
  });
} catch (e) {
  // Jest exits non-zero when a test fails; the report still says which.
  runError = e instanceof Error ? e.message : String(e);
}
let report: JestReport | undefined;
try {
  report = JSON.parse(readFileSync(out, 'utf8')) as JestReport;
} catch {
  report = undefined;
}

describe('Jest (src/**/*.test.ts[x])', () => {
  test('the suite ran and wrote its report', () => {
    expect(report, runError).toBeDefined();
    expect(report!.testResults.length).toBeGreaterThan(0);
  });

  for (const file of report?.testResults ?? []) {
    const name = relative(PLUGIN_DIR, file.name);
    if (file.assertionResults.length === 0) {
      test(`${name} loads`, () => expect(file.status, file.message).toBe('passed'));
    }
    for (const a of file.assertionResults) {
      test(`${name} › ${a.fullName}`, () => {
        expect(a.status, a.failureMessages.join('\n')).toBe('passed');
      });
    }
  }
});
