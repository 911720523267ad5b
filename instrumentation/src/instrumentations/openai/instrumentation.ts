/**
 * The `openai` patches (patches.ts) as an OpenTelemetry instrumentation, for
 * applications that register instrumentations themselves
 * (`registerInstrumentations`); the register hook applies the same patches
 * without it (module-hook.ts).
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { applyPatches, removePatches } from '../prototype-patch.js';
import type { MethodPatch } from '../prototype-patch.js';
import { INSTRUMENTATION_VERSION } from '../version.js';
import type { OpenAIModuleExports } from './internal-types.js';
import { openaiPatches } from './patches.js';
import type { OpenAIInstrumentationConfig } from './types.js';
import { OPENAI_SUPPORTED_VERSIONS } from './utils.js';

export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  constructor(config: OpenAIInstrumentationConfig = {}) {
    super('@tokenmeter/instrumentation-openai', INSTRUMENTATION_VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        OPENAI_SUPPORTED_VERSIONS,
        (moduleExports: OpenAIModuleExports) => {
          this.patchModuleExports(moduleExports);
          return moduleExports;
        },
        (moduleExports: OpenAIModuleExports | undefined) => {
          if (moduleExports !== undefined) this.unpatchModuleExports(moduleExports);
        },
      ),
    ];
  }

  /** Patches an `openai` module already loaded (its CJS exports or ESM namespace). */
  patchModuleExports(moduleExports: OpenAIModuleExports): void {
    applyPatches(this._patches(moduleExports), (target, name, wrapper) => this._wrap(target, name, wrapper));
  }

  /** The mirror of `patchModuleExports`. */
  unpatchModuleExports(moduleExports: OpenAIModuleExports): void {
    removePatches(this._patches(moduleExports), (target, name) => this._unwrap(target, name));
  }

  private _patches(moduleExports: OpenAIModuleExports): MethodPatch[] {
    return openaiPatches(moduleExports, { includeStreamUsage: () => this.getConfig().includeStreamUsage !== false, enabled: () => this._enabled });
  }
}
