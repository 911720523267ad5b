/** The README's environment table names exactly the variables the SDK reads, durations in `_MS`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = readFileSync(new URL('../../src/config/env.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Variable names of the README's environment table; `_X` after a full name in the same row means that prefix + `_X`. */
function documented(): Set<string> {
  const section = readme.slice(readme.indexOf('## Environment'), readme.indexOf('## Public API'));
  const names = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
    const first = row.split('|')[1]!;
    let prefix = '';
    for (const [, token] of first.matchAll(/`([A-Z_]+)`/g)) {
      if (token!.startsWith('_')) names.add(`${prefix}${token}`);
      else {
        names.add(token!);
        prefix = token!.replace(/_[A-Z]+$/, '');
      }
    }
    for (const [, older] of row.matchAll(/older name: `([A-Z_]+)`/g)) names.add(older!);
  }
  return names;
}

describe('README environment table', () => {
  const read = new Set([...source.matchAll(/'((?:TOKENMETER|OTEL)_[A-Z_]+)'/g)].map((m) => m[1]!));
  const table = documented();

  it('documents every variable the SDK reads', () => {
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((name) => !table.has(name) && name !== 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toEqual([]);
  });

  it('documents no TOKENMETER_ variable the SDK does not read, and every duration ends in _MS', () => {
    expect([...table].filter((name) => name.startsWith('TOKENMETER_') && !read.has(name))).toEqual([]);
    expect([...read, ...table].filter((name) => /MILLIS|_SECONDS$/.test(name))).toEqual([]);
  });
});
