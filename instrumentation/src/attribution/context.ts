/**
 * The attribution of the current call: defaults from the environment merged
 * under whatever `withAttribution` put in the async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attribution } from '../protocol.js';

const storage = new AsyncLocalStorage<Attribution>();
let defaults: Attribution = {};

/** Sets the process-wide defaults (from env and resource attributes). */
export function setDefaultAttribution(attribution: Attribution): void {
  defaults = { ...attribution };
}

/** Runs `fn` with `attribution` merged over the current one. */
export function withAttribution<T>(attribution: Attribution, fn: () => T): T {
  const merged = { ...storage.getStore(), ...stripEmpty(attribution) };
  return storage.run(merged, fn);
}

/** The attribution in force for a call made now. */
export function currentAttribution(): Attribution {
  const scoped = storage.getStore();
  return scoped === undefined ? defaults : { ...defaults, ...scoped };
}

function stripEmpty(attribution: Attribution): Attribution {
  const out: Attribution = {};
  for (const [key, value] of Object.entries(attribution) as [keyof Attribution, unknown][]) {
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}
