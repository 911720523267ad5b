/**
 * OpenAI adapter over the official SDK (openai 4–7): Chat Completions. The
 * client is the caller's own `new OpenAI(...)`, so the call goes through the
 * SDK patches (measured, priced, gated). SDK retries are off per request: the
 * router falls back instead of waiting on a failing provider.
 */
import type { TokenUsage } from '../../protocol.js';
import type { FinishReason } from '../types.js';
import { emptyUsage, type AdapterAnswer, type AdapterRequest, type AdapterStreamEvent, type ProviderAdapter } from './types.js';

/** The part of an OpenAI client the adapter uses (any SDK version 4–7 fits). */
export interface OpenAIClientLike {
  chat: { completions: { create(body: never, options?: never): PromiseLike<unknown> } };
}

type Create = (body: unknown, options: unknown) => PromiseLike<unknown>;

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

interface OpenAICompletion {
  model?: string;
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }[];
  usage?: OpenAIUsage | null;
}

interface OpenAIChunk {
  model?: string;
  choices?: { delta?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }[];
  usage?: OpenAIUsage | null;
}

export class OpenAIAdapter implements ProviderAdapter {
  constructor(private readonly _client: OpenAIClientLike) {}

  async complete(request: AdapterRequest): Promise<AdapterAnswer> {
    const completion = (await this._create(request, false)) as OpenAICompletion;
    const choice = completion.choices?.[0];
    const refused = typeof choice?.message?.refusal === 'string' && choice.message.refusal !== '';
    return {
      model: completion.model ?? request.model,
      text: choice?.message?.content ?? '',
      usage: toUsage(completion.usage),
      finishReason: refused ? 'refusal' : toFinishReason(choice?.finish_reason),
    };
  }

  async stream(request: AdapterRequest): Promise<AsyncIterable<AdapterStreamEvent>> {
    const stream = (await this._create(request, true)) as AsyncIterable<OpenAIChunk>;
    return (async function* events(): AsyncGenerator<AdapterStreamEvent> {
      let model = request.model;
      let usage = emptyUsage();
      let finishReason: FinishReason = 'other';
      let refused = false;
      for await (const chunk of stream) {
        if (typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model;
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (typeof text === 'string' && text !== '') yield { type: 'delta', text };
        if (typeof choice?.delta?.refusal === 'string' && choice.delta.refusal !== '') refused = true;
        if (choice?.finish_reason !== undefined && choice.finish_reason !== null) finishReason = toFinishReason(choice.finish_reason);
        if (chunk.usage !== undefined && chunk.usage !== null) usage = toUsage(chunk.usage);
      }
      yield { type: 'end', model, usage, finishReason: refused ? 'refusal' : finishReason };
    })();
  }

  private _create(request: AdapterRequest, stream: boolean): PromiseLike<unknown> {
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      max_completion_tokens: request.maxTokens,
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    const completions = this._client.chat.completions;
    return (completions.create as unknown as Create).call(completions, body, {
      signal: request.signal,
      timeout: request.timeoutMillis,
      maxRetries: 0,
    });
  }
}

/** OpenAI usage → disjoint token types (prompt includes cached input; completion includes reasoning). */
export function toUsage(usage: OpenAIUsage | null | undefined): TokenUsage {
  if (usage === null || usage === undefined) return emptyUsage();
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const cached = Math.min(prompt, count(usage.prompt_tokens_details?.cached_tokens));
  const reasoning = Math.min(completion, count(usage.completion_tokens_details?.reasoning_tokens));
  return { input: prompt - cached, output: completion - reasoning, cache_read: cached, cache_write: 0, reasoning };
}

function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
