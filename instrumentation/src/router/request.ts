/** Checks on the router's neutral request, and the tokens it reserves. */
import type { ChatRequest } from './types.js';

/** Throws a `TypeError` naming the first bad field. */
export function validateRequest(request: ChatRequest): void {
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw new TypeError('tokenmeter: request.messages must be a non-empty array');
  request.messages.forEach((message, index) => {
    if (message === null || typeof message !== 'object' || !['system', 'user', 'assistant'].includes(message.role)) {
      throw new TypeError(`tokenmeter: request.messages[${index}].role must be system, user or assistant`);
    }
    if (typeof message.content !== 'string') throw new TypeError(`tokenmeter: request.messages[${index}].content must be a string`);
  });
  if (!Number.isInteger(request.maxTokens) || request.maxTokens <= 0) throw new TypeError(`tokenmeter: request.maxTokens must be a positive integer, got ${request.maxTokens}`);
  if (request.temperature !== undefined && (!Number.isFinite(request.temperature) || request.temperature < 0 || request.temperature > 2)) {
    throw new TypeError(`tokenmeter: request.temperature must be between 0 and 2, got ${request.temperature}`);
  }
}

/** Tokens to reserve against token limits: the output bound plus ~4 characters per input token. */
export function tokenEstimate(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) chars += message.content.length;
  return request.maxTokens + Math.ceil(chars / 4) + 4 * request.messages.length;
}
