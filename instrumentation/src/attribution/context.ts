/**
 * The attribution of the current call. Precedence, per field:
 * explicit `withAttribution` (and the Express middleware, which uses it)
 * > OTel baggage entries of the active context > process defaults (env and
 * resource attributes).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { propagation } from '@opentelemetry/api';
import type { Attribution } from '../protocol.js';
import { attributionFromBaggage } from './baggage.js';

const storage = new AsyncLocalStorage<Attribution>();
let defaults: Attribution = {};
/**
 * Scoped attribution → merged with the defaults, built once per scope: every
 * call in one scope gets the same object, which lets the metrics sink cache
 * its label set by identity (callers must treat the result as read-only).
 */
let merged = new WeakMap<Attribution, Attribution>();

/** Sets the process-wide defaults (from env and resource attributes). */
export function setDefaultAttribution(attribution: Attribution): void {
  defaults = stripEmpty(attribution);
  merged = new WeakMap();
}

/** Runs `fn` with `attribution` merged over the current one (empty values are ignored). */
export function withAttribution<T>(attribution: Attribution, fn: () => T): T {
  const merged = { ...storage.getStore(), ...stripEmpty(attribution) };
  return storage.run(merged, fn);
}

/** The attribution in force for a call made now (read-only: it may be shared between calls). */
export function currentAttribution(): Attribution {
  const scoped = storage.getStore();
  const baggage = propagation.getActiveBaggage();
  const fromBaggage = baggage === undefined ? undefined : attributionFromBaggage(baggage);
  if (fromBaggage !== undefined) return { ...defaults, ...fromBaggage, ...scoped };
  if (scoped === undefined) return defaults;
  let value = merged.get(scoped);
  if (value === undefined) {
    value = { ...defaults, ...scoped };
    merged.set(scoped, value);
  }
  return value;
}

function stripEmpty(attribution: Attribution): Attribution {
  const out: Attribution = {};
  for (const [key, value] of Object.entries(attribution) as [keyof Attribution, unknown][]) {
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}
