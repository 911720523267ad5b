/**
 * Patching methods on SDK class prototypes, idempotently: the CJS and the ESM
 * build of an SDK are separate classes and each is patched once, however
 * many times its module is seen, whether the register hook or an
 * OpenTelemetry `InstrumentationBase` (shimmer) patched it first: both mark a
 * wrapper the same way (`__wrapped`, `__original`, `__unwrap`).
 */
import { reportOnce } from '../core/call.js';
import { modulePatched } from './patch-listener.js';

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
  if (!patched) return;
  try {
    modulePatched();
  } catch (error) {
    reportOnce('starting on the first patch', error);
  }
}

/** Whether `fn` is a wrapper that shimmer (OpenTelemetry's `_wrap`) or `wrapMethod` made. */
export function isWrapped(fn: unknown): boolean {
  const marked = fn as { __wrapped?: unknown; __original?: unknown; __unwrap?: unknown } | undefined;
  return typeof fn === 'function' && marked!.__wrapped === true && typeof marked!.__original === 'function' && typeof marked!.__unwrap === 'function';
}

/** Replaces `target[name]` by `wrapper(original)`, marked as shimmer marks it (without loading `@opentelemetry/instrumentation`). */
export const wrapMethod: Wrap = (target, name, wrapper) => {
  const original = target[name]!;
  const wrapped = wrapper(original);
  define(wrapped, '__original', original);
  define(wrapped, '__unwrap', () => {
    if (target[name] === wrapped) define(target, name, original);
  });
  define(wrapped, '__wrapped', true);
  define(target, name, wrapped);
  return wrapped;
};

/** Puts the original back (what shimmer's `unwrap` does). */
export const unwrapMethod: Unwrap = (target, name) => {
  (target[name] as { __unwrap?: () => void } | undefined)?.__unwrap?.();
};

/** A writable, configurable property; enumerable only if the one it replaces was. */
function define(target: object, name: string, value: unknown): void {
  const enumerable = Object.prototype.propertyIsEnumerable.call(target, name);
  Object.defineProperty(target, name, { configurable: true, enumerable, writable: true, value });
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
