/**
 * The `@anthropic-ai/sdk` patches (patches.ts) as an OpenTelemetry
 * instrumentation, for applications that register instrumentations
 * themselves; the register hook applies the same patches without it
 * (module-hook.ts).
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { applyPatches, removePatches } from '../prototype-patch.js';
import type { MethodPatch } from '../prototype-patch.js';
import { INSTRUMENTATION_VERSION } from '../version.js';
import type { AnthropicModuleExports } from './internal-types.js';
import { anthropicPatches } from './patches.js';
import type { AnthropicInstrumentationConfig } from './types.js';
import { ANTHROPIC_SUPPORTED_VERSIONS } from './utils.js';

export class AnthropicInstrumentation extends InstrumentationBase<AnthropicInstrumentationConfig> {
  constructor(config: AnthropicInstrumentationConfig = {}) {
    super('@tokenmeter/instrumentation-anthropic', INSTRUMENTATION_VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        '@anthropic-ai/sdk',
        ANTHROPIC_SUPPORTED_VERSIONS,
        (moduleExports: AnthropicModuleExports) => {
          this.patchModuleExports(moduleExports);
          return moduleExports;
        },
        (moduleExports: AnthropicModuleExports | undefined) => {
          if (moduleExports !== undefined) this.unpatchModuleExports(moduleExports);
        },
      ),
    ];
  }

  /** Patches an `@anthropic-ai/sdk` module already loaded (its CJS exports or ESM namespace). */
  patchModuleExports(moduleExports: AnthropicModuleExports): void {
    applyPatches(this._patches(moduleExports), (target, name, wrapper) => this._wrap(target, name, wrapper));
  }

  /** The mirror of `patchModuleExports`. */
  unpatchModuleExports(moduleExports: AnthropicModuleExports): void {
    removePatches(this._patches(moduleExports), (target, name) => this._unwrap(target, name));
  }

  private _patches(moduleExports: AnthropicModuleExports): MethodPatch[] {
    return anthropicPatches(moduleExports, () => this._enabled);
  }
}
