/** The LLM SDK packages the register hook looks for, on the `require` side and the `import` side alike. */
export const HOOKED_PACKAGES = ['openai', '@anthropic-ai/sdk'] as const;
export type HookedPackage = (typeof HOOKED_PACKAGES)[number];

/** Who hears of an SDK module: its name, its exports (or ESM namespace) and its package directory. */
export type HookedModuleListener = (name: HookedPackage, moduleExports: object, baseDir: string | undefined) => void;

export function isHookedPackage(specifier: string): specifier is HookedPackage {
  return (HOOKED_PACKAGES as readonly string[]).includes(specifier);
}
