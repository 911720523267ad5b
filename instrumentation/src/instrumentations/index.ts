/**
 * Enables the SDK patches: `openai` and `@anthropic-ai/sdk`, hooked on load
 * (require and import), plus any already-loaded module handed in.
 */
import { AnthropicInstrumentation } from './anthropic/instrumentation.js';
import type { AnthropicModuleExports } from './anthropic/internal-types.js';
import { OpenAIInstrumentation } from './openai/instrumentation.js';
import type { OpenAIModuleExports } from './openai/internal-types.js';
import { onModulePatched } from './patch-listener.js';

export interface InstrumentationOptions {
  /** Inject `stream_options.include_usage` into OpenAI streaming requests (default true). */
  openaiIncludeStreamUsage: boolean;
  /** Called when an SDK module is patched (before its first call); the register hook starts the SDK there. */
  onModulePatched?: () => void;
  /** Modules loaded before the hooks were installed (or loaded by a bundler), patched directly. */
  modules?: {
    openai?: readonly object[];
    anthropic?: readonly object[];
  };
}

export { OpenAIInstrumentation } from './openai/instrumentation.js';
export { AnthropicInstrumentation } from './anthropic/instrumentation.js';
export type { OpenAIInstrumentationConfig } from './openai/types.js';
export type { AnthropicInstrumentationConfig } from './anthropic/types.js';

let active: { openai: OpenAIInstrumentation; anthropic: AnthropicInstrumentation } | undefined;

/** Installs the patches (once; a second call reconfigures); returns their removal. */
export function enableInstrumentations(options: InstrumentationOptions): () => void {
  if (options.onModulePatched !== undefined) onModulePatched(options.onModulePatched);
  if (active === undefined) {
    active = {
      openai: new OpenAIInstrumentation({ includeStreamUsage: options.openaiIncludeStreamUsage }),
      anthropic: new AnthropicInstrumentation(),
    };
  } else {
    active.openai.setConfig({ includeStreamUsage: options.openaiIncludeStreamUsage });
    active.openai.enable();
    active.anthropic.enable();
  }
  const { openai, anthropic } = active;
  for (const moduleExports of options.modules?.openai ?? []) openai.patchModuleExports(moduleExports as OpenAIModuleExports);
  for (const moduleExports of options.modules?.anthropic ?? []) {
    anthropic.patchModuleExports(moduleExports as AnthropicModuleExports);
  }
  return () => {
    openai.disable();
    anthropic.disable();
    for (const moduleExports of options.modules?.openai ?? []) openai.unpatchModuleExports(moduleExports as OpenAIModuleExports);
    for (const moduleExports of options.modules?.anthropic ?? []) {
      anthropic.unpatchModuleExports(moduleExports as AnthropicModuleExports);
    }
  };
}
