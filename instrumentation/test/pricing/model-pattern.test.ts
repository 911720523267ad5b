import { describe, expect, it } from 'vitest';
import { compileModelPattern, deferredModelPattern, MAX_COMPILED_PATTERNS } from '../../src/pricing/model-pattern.js';

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

  it('the error quotes the pattern as written, not its anchoring group', () => {
    expect(() => compileModelPattern('gpt-(4')).toThrow(/missing closing \): `gpt-\(4`/);
  });

  it('compiles a pattern once per process (every price sync validates the table again), errors included, keeping at most MAX_COMPILED_PATTERNS', () => {
    const first = compileModelPattern('gpt-4\\.1(?:-mini)?');
    expect(compileModelPattern('gpt-4\\.1(?:-mini)?')).toBe(first);
    const failure = (): unknown => {
      try {
        return compileModelPattern('(b)\\1');
      } catch (error) {
        return error;
      }
    };
    const a = failure() as Error;
    const b = failure() as Error;
    expect(a).toBeInstanceOf(Error);
    expect(b.message).toBe(a.message);
    expect(b).not.toBe(a); // a fresh error each time: a caller may attach to it
    for (let i = 0; i < MAX_COMPILED_PATTERNS; i++) compileModelPattern(`filler-${i}`);
    expect(compileModelPattern('gpt-4\\.1(?:-mini)?')).not.toBe(first); // the oldest went first
    expect(compileModelPattern('gpt-4\\.1(?:-mini)?').matches('GPT-4.1-mini')).toBe(true);
  });
});
