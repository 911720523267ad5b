/**
 * What gets patched in an `@anthropic-ai/sdk` module (0.20 – 1.x, its CJS
 * exports or ESM namespace): `messages.create` and `beta.messages.create` on
 * the resource classes the package exports statically. `.stream()` and
 * `.parse()` call `create` and are measured through it, once.
 */
import { patchOperation } from '../operation.js';
import type { MethodPatch } from '../prototype-patch.js';
import type { AnthropicClass, AnthropicModuleExports } from './internal-types.js';
import { messagesOperation } from './messages.js';

export function anthropicPatches(moduleExports: AnthropicModuleExports, enabled: () => boolean): MethodPatch[] {
  const client: AnthropicClass | undefined = moduleExports.Anthropic ?? moduleExports.default;
  return [
    { target: client?.Messages?.prototype, method: 'create', wrapper: patchOperation(messagesOperation('anthropic messages.create'), enabled) },
    { target: client?.Beta?.Messages?.prototype, method: 'create', wrapper: patchOperation(messagesOperation('anthropic beta.messages.create'), enabled) },
  ];
}
