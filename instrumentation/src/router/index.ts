/** The provider router: priority fallback over the OpenAI and Anthropic SDKs. */
export { createRouter, classify } from './router.js';
export type { Router, RouterOptions, RouterProvider, ProviderHealthView } from './router.js';
export { AllProvidersFailedError } from './errors.js';
export { OpenAIAdapter } from './adapters/openai.js';
export type { OpenAIClientLike } from './adapters/openai.js';
export { AnthropicAdapter } from './adapters/anthropic.js';
export type { AnthropicClientLike } from './adapters/anthropic.js';
export type { ProviderAdapter, AdapterRequest, AdapterAnswer, AdapterStreamEvent } from './adapters/types.js';
export type { CooldownOptions, BreakerState } from './health.js';
export { systemClock } from './clock.js';
export type { RouterClock } from './clock.js';
export type { ChatMessage, ChatRequest, ChatResult, ChatStream, ChatDelta, Attempt, FallbackReason, FinishReason } from './types.js';
