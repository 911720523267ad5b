/**
 * The ESM side of the hooks: `import` bypasses `require`, so the SDKs' ESM
 * builds are only seen through a loader hook (import-in-the-middle). Only the
 * two SDK packages are intercepted; every other module loads untouched, and
 * import-in-the-middle itself is loaded only when a module first imports one
 * of them (most processes that carry the hook never do).
 *
 * With the hook in `NODE_OPTIONS` it runs in every Node process of a host
 * (npm, health checks, `node -e`, workers), so the in-thread hook hands
 * import-in-the-middle only what it wraps: `import`s made by a module. The
 * entry point and every `require()` go straight to Node's own resolver —
 * import-in-the-middle leaves them unwrapped anyway, but its synchronous
 * resolve hook mistakes a builtin required by code without a file (`-e`,
 * `-p`: `require('module')`) for an extensionless entry point and sends it to
 * a disk read (`ENOENT: … open 'module'`).
 */
import { createRequire, register, registerHooks, type ResolveHookContext } from 'node:module';
import type * as Iitm from 'import-in-the-middle';
import type { IitmHook } from 'import-in-the-middle/create-hook.mjs';
import type * as IitmCreateHook from 'import-in-the-middle/create-hook.mjs';
import { HOOKED_PACKAGES, isHookedPackage, type HookedModuleListener, type HookedPackage } from './hooked-packages.js';

let installed = false;

/** Installs the loader hook once: in-thread (`module.registerHooks`, Node ≥ 22.15) where this Node has it, else on the loader thread. */
export function installEsmLoaderHook(listener: HookedModuleListener): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const startIitm = (): void => {
    // Each module instance once, with its package directory, as the require hook reports it.
    const { Hook } = require('import-in-the-middle') as typeof Iitm;
    new Hook([...HOOKED_PACKAGES], { internals: false }, (namespace, name, baseDir) => {
      listener(name as HookedPackage, namespace as object, baseDir || undefined);
      return namespace;
    });
  };
  if (typeof registerHooks !== 'function') {
    startIitm();
    const { createAddHookMessageChannel } = require('import-in-the-middle') as typeof Iitm;
    const { registerOptions } = createAddHookMessageChannel();
    register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    return;
  }
  let iitm: IitmHook | undefined;
  registerHooks({
    resolve: (specifier, context, nextResolve) => {
      if (passesThrough(context)) return nextResolve(specifier, context);
      if (iitm === undefined) {
        if (!isHookedPackage(specifier)) return nextResolve(specifier, context);
        startIitm();
        // The wrapper modules import iitm's runtime relative to the hook file's URL.
        const { createHook } = require('import-in-the-middle/create-hook.mjs') as typeof IitmCreateHook;
        const hook = createHook({ url: import.meta.resolve('import-in-the-middle/hook.mjs') });
        hook.applyOptions({ include: [...HOOKED_PACKAGES] });
        iitm = hook;
      }
      return iitm.resolveSync(specifier, context, nextResolve);
    },
    load: (url, context, nextLoad) => (iitm === undefined ? nextLoad(url, context) : iitm.loadSync(url, context, nextLoad)),
  });
}

/** Resolutions import-in-the-middle never wraps: the entry point (no parent) and `require()`. */
export function passesThrough(context: Pick<ResolveHookContext, 'parentURL' | 'conditions'>): boolean {
  return context.parentURL === undefined || context.parentURL === '' || context.conditions?.includes('require') === true;
}
