/**
 * The mock's deterministic usage rule (documented in the README), and the
 * conversion of tokenmeter's disjoint usage into each provider's wire form.
 */
import type { DisjointUsage } from './types.js';

/** Characters of every text part in a request (messages, input, system, prompt). */
export function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (value !== null && typeof value === 'object') {
    let sum = 0;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'text' || key === 'content' || key === 'input' || key === 'system' || key === 'instructions') sum += textLength(inner);
      else if (key === 'messages' || key === 'parts') sum += textLength(inner);
    }
    return sum;
  }
  return 0;
}

function hasCacheControl(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasCacheControl);
  if (value !== null && typeof value === 'object') {
    if ('cache_control' in value) return true;
    return Object.values(value).some(hasCacheControl);
  }
  return false;
}

const REASONING_MODEL = /^(o\d|gpt-5|gpt-6)/;
const DEFAULT_OUTPUT = 20;

/**
 * Whether the request's output limit (`max_tokens`, `max_completion_tokens`,
 * `max_output_tokens`) is below the mock's natural answer length (20 tokens),
 * so the answer is cut by it: finish reason `length` (chat), `max_tokens`
 * (Anthropic), status `incomplete` (Responses).
 */
export function cutByLimit(body: Record<string, unknown>): boolean {
  const limit = [body.max_tokens, body.max_completion_tokens, body.max_output_tokens].find((v) => typeof v === 'number');
  return typeof limit === 'number' && limit < DEFAULT_OUTPUT;
}

/**
 * The rule: prompt tokens = ceil(characters / 4) + 4 per message (at least 1);
 * output tokens = min(max tokens, 20); reasoning models (`o*`, `gpt-5*`) add
 * reasoning = 2 × output; OpenAI caches half the prompt (rounded down to a
 * multiple of 128) when it has ≥ 1024 tokens; Anthropic requests with a
 * `cache_control` marker read half of the prompt from cache and write a
 * quarter. Returned in the disjoint convention.
 */
export function ruleUsage(provider: 'openai' | 'anthropic', body: Record<string, unknown>, maxTokens: number | undefined): DisjointUsage {
  const messages = Array.isArray(body.messages) ? body.messages.length : 1;
  const prompt = Math.max(1, Math.ceil(textLength(body) / 4) + 4 * messages);
  const output = Math.max(1, Math.min(maxTokens ?? DEFAULT_OUTPUT, DEFAULT_OUTPUT));
  const model = typeof body.model === 'string' ? body.model : '';
  const reasoning = provider === 'openai' && REASONING_MODEL.test(model) ? 2 * output : 0;
  if (provider === 'openai') {
    const cached = prompt >= 1024 ? Math.floor(prompt / 2 / 128) * 128 : 0;
    return { input: prompt - cached, output, cache_read: cached, cache_write: 0, reasoning };
  }
  if (hasCacheControl(body)) {
    const read = Math.floor(prompt / 2);
    const write = Math.floor(prompt / 4);
    return { input: prompt - read - write, output, cache_read: read, cache_write: write, reasoning: 0 };
  }
  return { input: prompt, output, cache_read: 0, cache_write: 0, reasoning: 0 };
}

/** Parses the `x-mock-usage` header; throws with a message naming the bad field. */
export function parseForcedUsage(header: string): DisjointUsage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    throw new Error('x-mock-usage must be JSON, e.g. {"input":100,"output":20}');
  }
  if (parsed === null || typeof parsed !== 'object') throw new Error('x-mock-usage must be a JSON object');
  const out: DisjointUsage = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in out)) throw new Error(`x-mock-usage: unknown field "${key}" (allowed: input, output, cache_read, cache_write, reasoning)`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`x-mock-usage: ${key} must be a non-negative integer`);
    out[key as keyof DisjointUsage] = value;
  }
  return out;
}

/** OpenAI Chat Completions usage (prompt includes cached; completion includes reasoning). */
export function openaiChatUsage(u: DisjointUsage): Record<string, unknown> {
  const prompt = u.input + u.cache_read + u.cache_write;
  const completion = u.output + u.reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cache_read, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** OpenAI Responses API usage. */
export function openaiResponsesUsage(u: DisjointUsage): Record<string, unknown> {
  const input = u.input + u.cache_read + u.cache_write;
  const output = u.output + u.reasoning;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cache_read },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: input + output,
  };
}

/** Anthropic Messages usage (input excludes cache read and creation; thinking is part of output). */
export function anthropicUsage(u: DisjointUsage, outputTokens = u.output + u.reasoning): Record<string, unknown> {
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cache_write,
    cache_read_input_tokens: u.cache_read,
    cache_creation: { ephemeral_5m_input_tokens: u.cache_write, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** What a correct instrumentation derives from the wire form, per provider (OpenAI cache writes are input). */
export function reportedDisjoint(provider: 'openai' | 'anthropic', u: DisjointUsage): DisjointUsage {
  if (provider === 'openai') return { input: u.input + u.cache_write, output: u.output, cache_read: u.cache_read, cache_write: 0, reasoning: u.reasoning };
  return { input: u.input, output: u.output + u.reasoning, cache_read: u.cache_read, cache_write: u.cache_write, reasoning: 0 };
}

/** `n` words of deterministic text: one word per output token. */
export function words(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(i === 0 ? 'Hello' : ` w${i}`);
  return out;
}
