/**
 * Patches `@anthropic-ai/sdk` (0.x – 1.x), CJS and ESM builds alike:
 * `messages.create` and `beta.messages.create` on the resource classes the
 * package exports statically. `.stream()` and `.parse()` call `create` and are
 * measured through it, once.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { patchOperation } from '../operation.js';
import { applyPatches, removePatches } from '../prototype-patch.js';
import type { MethodPatch } from '../prototype-patch.js';
import { INSTRUMENTATION_VERSION } from '../version.js';
import type { AnthropicClass, AnthropicModuleExports } from './internal-types.js';
import { messagesOperation } from './messages.js';
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
    const client: AnthropicClass | undefined = moduleExports.Anthropic ?? moduleExports.default;
    return [
      { target: client?.Messages?.prototype, method: 'create', wrapper: this._getPatchedMessagesCreate('anthropic messages.create') },
      { target: client?.Beta?.Messages?.prototype, method: 'create', wrapper: this._getPatchedMessagesCreate('anthropic beta.messages.create') },
    ];
  }

  private _getPatchedMessagesCreate(name: string): MethodPatch['wrapper'] {
    return patchOperation(messagesOperation(name), () => this._enabled);
  }
}
