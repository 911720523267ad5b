// import-in-the-middle ships no types for its hook factory (the file behind
// `register-hooks.mjs` and `hook.mjs`); these are the parts the loader uses.
declare module 'import-in-the-middle/create-hook.mjs' {
  import type { LoadHookSync, ResolveHookSync } from 'node:module';

  export interface IitmHookOptions {
    include?: Array<string | RegExp>;
    exclude?: Array<string | RegExp>;
  }

  export interface IitmHook {
    applyOptions(options: IitmHookOptions): void;
    resolveSync: ResolveHookSync;
    loadSync: LoadHookSync;
  }

  /** `meta.url` locates iitm's runtime (`lib/register.js`) that the generated wrappers import. */
  export function createHook(meta: { url: string }): IitmHook;
}
