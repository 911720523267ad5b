/** A configuration loader's refusal, for the services' configuration tests. */

/** An error class whose instances list every problem found (each service's `ConfigError`). */
export type ProblemsError<P> = abstract new (...args: never[]) => Error & { readonly problems: readonly P[] };

/**
 * The problems `load()` reports by throwing `errorClass`; any other error is
 * rethrown, and a load that succeeds fails the test.
 */
export function configProblems<P>(errorClass: ProblemsError<P>, load: () => unknown): P[] {
  try {
    load();
  } catch (error) {
    if (error instanceof errorClass) return [...error.problems];
    throw error;
  }
  throw new Error(`expected a ${errorClass.name}`);
}
