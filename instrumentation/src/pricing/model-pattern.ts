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

/**
 * Patterns compiled in this process, by their text (an error too): a price
 * table is validated and compiled again at every sync, and the same patterns
 * come back each time. Bounded: the oldest goes first.
 */
const compiled = new Map<string, ModelPattern | Error>();
/** Most patterns kept compiled (a table has tens). */
export const MAX_COMPILED_PATTERNS = 1024;

/** Compiles a pattern (once per process while it is kept); throws an `Error` whose message says what is wrong. */
export function compileModelPattern(pattern: string): ModelPattern {
  let result = compiled.get(pattern);
  if (result === undefined) {
    result = compile(pattern);
    if (compiled.size >= MAX_COMPILED_PATTERNS) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, result);
  }
  if (result instanceof Error) throw new Error(result.message, { cause: result.cause });
  return result;
}

function compile(pattern: string): ModelPattern | Error {
  if (pattern.length > MAX_MODEL_PATTERN_LENGTH) return new Error(`longer than ${MAX_MODEL_PATTERN_LENGTH} characters`);
  const RE2JS = RE2();
  let re: RE2JS;
  try {
    re = RE2JS.compile(`(?:${pattern})`, RE2JS.CASE_INSENSITIVE);
  } catch (wrapped) {
    // The bare pattern's error quotes what the admin wrote, not our wrapping.
    let error = wrapped as Error;
    try {
      RE2JS.compile(pattern);
    } catch (bare) {
      error = bare as Error;
    }
    return new Error(`${error.message}; patterns use RE2 syntax (no backreferences or lookaround), which matches in linear time`, { cause: error });
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
  let resolved: ModelPattern | undefined;
  return { matches: (model) => (resolved ??= compileModelPattern(pattern)).matches(model) };
}
