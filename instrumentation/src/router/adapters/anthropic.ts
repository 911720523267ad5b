/**
 * Anthropic adapter over the official SDK (@anthropic-ai/sdk 0.x–1.x): the
 * Messages API. System messages become the `system` parameter. SDK retries
 * are off per request: the router falls back instead.
 */
import type { TokenUsage } from '../../protocol.js';
import type { FinishReason } from '../types.js';
import { emptyUsage, type AdapterAnswer, type AdapterRequest, type AdapterStreamEvent, type ProviderAdapter } from './types.js';

/** The part of an Anthropic client the adapter uses. */
export interface AnthropicClientLike {
  messages: { create(body: never, options?: never): PromiseLike<unknown> };
}

type Create = (body: unknown, options: unknown) => PromiseLike<unknown>;

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface AnthropicMessage {
  model?: string;
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

type AnthropicEvent =
  | { type: 'message_start'; message?: AnthropicMessage }
  | { type: 'content_block_delta'; delta?: { type?: string; text?: string } }
  | { type: 'message_delta'; delta?: { stop_reason?: string | null }; usage?: AnthropicUsage }
  | { type: string };

export class AnthropicAdapter implements ProviderAdapter {
  constructor(private readonly _client: AnthropicClientLike) {}

  async complete(request: AdapterRequest): Promise<AdapterAnswer> {
    const message = (await this._create(request, false)) as AnthropicMessage;
    const text = (message.content ?? [])
      .filter((block) => block.type === 'text' && typeof block.text === 'string')
      .map((block) => block.text)
      .join('');
    return {
      model: message.model ?? request.model,
      text,
      usage: toUsage(message.usage),
      finishReason: toFinishReason(message.stop_reason),
    };
  }

  async stream(request: AdapterRequest): Promise<AsyncIterable<AdapterStreamEvent>> {
    const stream = (await this._create(request, true)) as AsyncIterable<AnthropicEvent>;
    return (async function* events(): AsyncGenerator<AdapterStreamEvent> {
      let model = request.model;
      let usage: AnthropicUsage = {};
      let finishReason: FinishReason = 'other';
      for await (const event of stream) {
        if (event.type === 'message_start' && 'message' in event) {
          if (typeof event.message?.model === 'string') model = event.message.model;
          usage = { ...event.message?.usage };
        } else if (event.type === 'content_block_delta' && 'delta' in event) {
          const delta = event.delta as { type?: string; text?: string } | undefined;
          if (delta?.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') yield { type: 'delta', text: delta.text };
        } else if (event.type === 'message_delta') {
          const { delta, usage: deltaUsage } = event as { delta?: { stop_reason?: string | null }; usage?: AnthropicUsage };
          if (delta?.stop_reason !== undefined && delta.stop_reason !== null) finishReason = toFinishReason(delta.stop_reason);
          // message_delta usage is cumulative: its fields replace the ones from message_start.
          for (const [key, value] of Object.entries(deltaUsage ?? {}) as [keyof AnthropicUsage, number | null][]) {
            if (typeof value === 'number') usage[key] = value;
          }
        }
      }
      yield { type: 'end', model, usage: toUsage(usage), finishReason };
    })();
  }

  private _create(request: AdapterRequest, stream: boolean): PromiseLike<unknown> {
    const system = request.messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content)
      .join('\n\n');
    const body: Record<string, unknown> = {
      model: request.model,
      max_tokens: request.maxTokens,
      messages: request.messages
        .filter((message) => message.role !== 'system')
        .map((message) => ({ role: message.role, content: message.content })),
    };
    if (system !== '') body.system = system;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (stream) body.stream = true;
    const messages = this._client.messages;
    return (messages.create as unknown as Create).call(messages, body, {
      signal: request.signal,
      timeout: request.timeoutMillis,
      maxRetries: 0,
    });
  }
}

/** Anthropic usage → disjoint token types (input excludes cache reads and writes). */
export function toUsage(usage: AnthropicUsage | undefined): TokenUsage {
  if (usage === undefined) return emptyUsage();
  return {
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cache_read: count(usage.cache_read_input_tokens),
    cache_write: count(usage.cache_creation_input_tokens),
    reasoning: 0,
  };
}

function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
