/** What an adapter turns into one provider SDK call. */
import type { TokenUsage } from '../../protocol.js';
import type { ChatMessage, FinishReason } from '../types.js';

export interface AdapterRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number | undefined;
  signal: AbortSignal;
  timeoutMillis: number;
}

export interface AdapterAnswer {
  model: string;
  text: string;
  usage: TokenUsage;
  finishReason: FinishReason;
}

/** Stream events in the neutral shape: deltas, then one `end` with usage and reason. */
export type AdapterStreamEvent = { type: 'delta'; text: string } | { type: 'end'; model: string; usage: TokenUsage; finishReason: FinishReason };

/** Neutral request → one provider SDK call → neutral answer. */
export interface ProviderAdapter {
  complete(request: AdapterRequest): Promise<AdapterAnswer>;
  /** Resolves once the provider accepted the request (errors like 429 reject here); iterate for events. */
  stream(request: AdapterRequest): Promise<AsyncIterable<AdapterStreamEvent>>;
}

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
}
