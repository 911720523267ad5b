/**
 * Patches the `openai` SDK (4.19 – 7.x), CJS and ESM builds alike: chat
 * completions, the Responses API and embeddings, on the resource classes the
 * package exports statically (`OpenAI.Chat.Completions`, …). The helpers
 * (`.parse()`, `.stream()`, `.runTools()`) call `create` and are measured
 * through it, once.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { applyPatches, removePatches } from '../prototype-patch.js';
import type { MethodPatch } from '../prototype-patch.js';
import { patchOperation } from '../operation.js';
import { INSTRUMENTATION_VERSION } from '../version.js';
import { chatOperation } from './chat.js';
import { embeddingsOperation } from './embeddings.js';
import type { OpenAIClass, OpenAIModuleExports } from './internal-types.js';
import { responsesOperation } from './responses.js';
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
    const client: OpenAIClass | undefined = moduleExports.OpenAI ?? moduleExports.default;
    return [
      { target: client?.Chat?.Completions?.prototype, method: 'create', wrapper: this._getPatchedChatCreate() },
      { target: client?.Responses?.prototype, method: 'create', wrapper: this._getPatchedResponsesCreate() },
      { target: client?.Embeddings?.prototype, method: 'create', wrapper: this._getPatchedEmbeddingsCreate() },
    ];
  }

  private _getPatchedChatCreate(): MethodPatch['wrapper'] {
    return patchOperation(
      chatOperation(() => this.getConfig().includeStreamUsage !== false),
      () => this._enabled,
    );
  }

  private _getPatchedResponsesCreate(): MethodPatch['wrapper'] {
    return patchOperation(responsesOperation(), () => this._enabled);
  }

  private _getPatchedEmbeddingsCreate(): MethodPatch['wrapper'] {
    return patchOperation(embeddingsOperation(), () => this._enabled);
  }
}
