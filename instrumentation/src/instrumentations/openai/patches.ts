/**
 * What gets patched in an `openai` module (4.19 – 7.x, its CJS exports or
 * ESM namespace): `create` of chat completions, the Responses API and
 * embeddings, on the resource classes the package exports statically
 * (`OpenAI.Chat.Completions`, …). The helpers (`.parse()`, `.stream()`,
 * `.runTools()`) call `create` and are measured through it, once.
 */
import { patchOperation } from '../operation.js';
import type { MethodPatch } from '../prototype-patch.js';
import { chatOperation } from './chat.js';
import { embeddingsOperation } from './embeddings.js';
import type { OpenAIClass, OpenAIModuleExports } from './internal-types.js';
import { responsesOperation } from './responses.js';

export interface OpenAIPatchOptions {
  /** Inject `stream_options.include_usage` into streaming chat requests (read at each call). */
  includeStreamUsage: () => boolean;
  /** Whether the patches measure (read at each call; an OpenTelemetry instrumentation can be disabled). */
  enabled: () => boolean;
}

export function openaiPatches(moduleExports: OpenAIModuleExports, options: OpenAIPatchOptions): MethodPatch[] {
  const client: OpenAIClass | undefined = moduleExports.OpenAI ?? moduleExports.default;
  return [
    { target: client?.Chat?.Completions?.prototype, method: 'create', wrapper: patchOperation(chatOperation(options.includeStreamUsage), options.enabled) },
    { target: client?.Responses?.prototype, method: 'create', wrapper: patchOperation(responsesOperation(), options.enabled) },
    { target: client?.Embeddings?.prototype, method: 'create', wrapper: patchOperation(embeddingsOperation(), options.enabled) },
  ];
}
