/**
 * Model-name patterns of price entries, matched by RE2 (the `re2js` port):
 * linear time in the name's length whatever the pattern, so no admin entry
 * (e.g. `(a+)+`) can stall the control plane, the collector or the SDK that
 * load the same table. RE2 syntax: no backreferences, no lookaround.
 */
import { RE2JS } from 're2js';

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
    RE2JS.compile(pattern);
    re = RE2JS.compile(`(?:${pattern})`, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new Error(`${(error as Error).message}; patterns use RE2 syntax (no backreferences or lookaround), which matches in linear time`, { cause: error });
  }
  return { matches: (model) => re.matches(model) };
}
