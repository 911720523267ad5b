/**
 * Model-name patterns of price entries, matched by RE2 (the `re2js` port):
 * linear time in the name's length whatever the pattern, so no admin entry
 * (e.g. `(a+)+`) can stall the control plane, the collector or the SDK that
 * load the same table. RE2 syntax: no backreferences, no lookaround.
 */
import { createRequire } from 'node:module';
import type * as Re2js from 're2js';

type RE2JS = Re2js.RE2JS;
let re2js: typeof Re2js.RE2JS | undefined;

/** re2js loads with the first pattern compiled: ~7 ms of start-up that an SDK whose calls name models exactly never pays. */
function RE2(): typeof Re2js.RE2JS {
  return (re2js ??= (createRequire(import.meta.url)('re2js') as typeof Re2js).RE2JS);
}

/** Longest accepted pattern (characters). */
export const MAX_MODEL_PATTERN_LENGTH = 512;

export interface ModelPattern {
  /** Whether the whole model name matches (anchored, case-insensitive). */
  matches(model: string): boolean;
}

/** Compiles a pattern; throws an `Error` whose message says what is wrong. */
export function compileModelPattern(pattern: string): ModelPattern {
  if (pattern.length > MAX_MODEL_PATTERN_LENGTH) throw new Error(`longer than ${MAX_MODEL_PATTERN_LENGTH} characters`);
  let re: RE2JS;
  try {
    // The bare pattern first, so an error quotes what the admin wrote, not our wrapping.
    const RE2JS = RE2();
    RE2JS.compile(pattern);
    re = RE2JS.compile(`(?:${pattern})`, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new Error(`${(error as Error).message}; patterns use RE2 syntax (no backreferences or lookaround), which matches in linear time`, { cause: error });
  }
  return { matches: (model) => re.matches(model) };
}

/**
 * A pattern already checked (`compileModelPattern` accepted it), compiled on
 * its first match: a price table's regex entries are only consulted for a
 * model no exact entry names, and compiling the bundled catalog's took ~10 ms
 * of start-up.
 */
export function deferredModelPattern(pattern: string): ModelPattern {
  let compiled: ModelPattern | undefined;
  return { matches: (model) => (compiled ??= compileModelPattern(pattern)).matches(model) };
}
