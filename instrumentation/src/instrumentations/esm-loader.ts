/**
 * The ESM side of the hooks: `import` bypasses `require`, so the SDKs' ESM
 * builds are only seen through a loader hook (import-in-the-middle). Only the
 * two SDK packages are intercepted; every other module loads untouched.
 */
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';

/** The packages whose ESM builds the loader wraps. */
export const HOOKED_PACKAGES: readonly string[] = ['openai', '@anthropic-ai/sdk'];

let installed = false;

/** Installs the loader hook once: in-thread (`module.registerHooks`) where this Node supports it, else on the loader thread. */
export function installEsmLoaderHook(): void {
  if (installed) return;
  installed = true;
  if (supportsSyncHooks()) {
    registerSyncHooks({ include: [...HOOKED_PACKAGES] });
    return;
  }
  const { registerOptions } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
}
