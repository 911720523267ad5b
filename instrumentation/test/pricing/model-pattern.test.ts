import { describe, expect, it } from 'vitest';
import { compileModelPattern, deferredModelPattern } from '../../src/pricing/model-pattern.js';

describe('model patterns', () => {
  const names = ['claude-sonnet-4-5', 'CLAUDE-SONNET-4-5-20250929', 'claude-sonnet-4', 'xclaude-sonnet-4-5', 'claude-sonnet-4-5x'];

  it('a deferred pattern (compiled on its first match) matches exactly what the compiled one does: whole name, any case', () => {
    const pattern = 'claude-sonnet-4-5(?:-\\d{8})?';
    const compiled = compileModelPattern(pattern);
    const deferred = deferredModelPattern(pattern);
    expect(names.map((name) => deferred.matches(name))).toEqual(names.map((name) => compiled.matches(name)));
    expect(names.map((name) => deferred.matches(name))).toEqual([true, true, false, false, false]);
  });

  it('compileModelPattern checks at once; a deferred pattern is for patterns already checked, and says what is wrong at its first match', () => {
    expect(() => compileModelPattern('(a)\\1')).toThrow(/RE2 syntax/);
    const deferred = deferredModelPattern('(a)\\1');
    expect(() => deferred.matches('aa')).toThrow(/RE2 syntax/);
  });
});
