/**
 * The ESM side of the hooks: `import` bypasses `require`, so the SDKs' ESM
 * builds are only seen through a loader hook (import-in-the-middle). Only the
 * two SDK packages are intercepted; every other module loads untouched.
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
import { register, registerHooks, type ResolveHookContext } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { createHook } from 'import-in-the-middle/create-hook.mjs';
import { supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';

/** The packages whose ESM builds the loader wraps. */
export const HOOKED_PACKAGES: readonly string[] = ['openai', '@anthropic-ai/sdk'];

let installed = false;

/** Installs the loader hook once: in-thread (`module.registerHooks`) where this Node supports it, else on the loader thread. */
export function installEsmLoaderHook(): void {
  if (installed) return;
  installed = true;
  if (supportsSyncHooks()) {
    // The wrapper modules import iitm's runtime relative to the hook file's URL.
    const hook = createHook({ url: import.meta.resolve('import-in-the-middle/hook.mjs') });
    hook.applyOptions({ include: [...HOOKED_PACKAGES] });
    registerHooks({
      resolve: (specifier, context, nextResolve) =>
        passesThrough(context) ? nextResolve(specifier, context) : hook.resolveSync(specifier, context, nextResolve),
      load: hook.loadSync,
    });
    return;
  }
  const { registerOptions } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
}

/** Resolutions import-in-the-middle never wraps: the entry point (no parent) and `require()`. */
export function passesThrough(context: Pick<ResolveHookContext, 'parentURL' | 'conditions'>): boolean {
  return context.parentURL === undefined || context.parentURL === '' || context.conditions?.includes('require') === true;
}
