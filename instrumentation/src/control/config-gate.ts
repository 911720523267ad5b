/**
 * The gate of an invalid governance setting: when fail-closed was meant or
 * cannot be ruled out, every call is refused with a `GovernanceConfigError`
 * naming the variable, before any request leaves. Registered by
 * `startTokenmeter` in place of (or in front of) the enforcement gate.
 */
import type { CallGate } from '../core/hooks.js';
import type { GovernanceProblem } from '../config/env.js';
import { GovernanceConfigError } from './errors.js';
import type { ControlMetrics } from './metrics.js';

/** A gate that refuses every call because of `problem` (the first one that refuses). */
export function governanceConfigGate(problem: GovernanceProblem, metrics?: ControlMetrics): CallGate {
  return (call) => {
    metrics?.refusal('config_invalid', call.provider);
    throw new GovernanceConfigError({ provider: call.provider, org: call.attribution.org, variable: problem.variable, problem: problem.message });
  };
}
