/**
 * Patching methods on SDK class prototypes, idempotently: the CJS and the ESM
 * build of an SDK are separate classes and each is patched once, however
 * many times its module is seen.
 */
import { isWrapped } from '@opentelemetry/instrumentation';
import { reportOnce } from '../core/call.js';

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Wrapper = (original: Method) => Method;
type Patchable = Record<string, Method>;
/** `InstrumentationBase._wrap` / `_unwrap` (shimmer). */
export type Wrap = (target: Patchable, name: string, wrapper: Wrapper) => unknown;
export type Unwrap = (target: Patchable, name: string) => unknown;

/** One method to patch: where, and how. */
export interface MethodPatch {
  target: object | undefined;
  method: string;
  wrapper: Wrapper;
}

let patchListener: (() => void) | undefined;

/** Called whenever an SDK module gets patched (the register hook starts the SDK then: before the first call, only in processes that use an LLM SDK). */
export function onModulePatched(listener: (() => void) | undefined): void {
  patchListener = listener;
}

/** Wraps each method that exists and is not wrapped yet; a missing one is skipped (older SDK). */
export function applyPatches(patches: readonly MethodPatch[], wrap: Wrap): void {
  let patched = false;
  for (const { target, method, wrapper } of patches) {
    try {
      if (target === undefined) continue;
      const current = (target as Record<string, unknown>)[method];
      if (typeof current !== 'function' || isWrapped(current)) continue;
      wrap(target as Patchable, method, wrapper);
      patched = true;
    } catch (error) {
      reportOnce(`patching ${method}`, error);
    }
  }
  if (!patched || patchListener === undefined) return;
  try {
    patchListener();
  } catch (error) {
    reportOnce('starting on the first patch', error);
  }
}

/** The mirror of `applyPatches`. */
export function removePatches(patches: readonly MethodPatch[], unwrap: Unwrap): void {
  for (const { target, method } of patches) {
    try {
      if (target === undefined) continue;
      if (isWrapped((target as Record<string, unknown>)[method])) unwrap(target as Patchable, method);
    } catch (error) {
      reportOnce(`unpatching ${method}`, error);
    }
  }
}
