/**
 * The parts of the OpenAI wire shapes the instrumentation reads, declared
 * here (all optional) so no SDK major's types leak in; never exported.
 */

export interface ChatCompletionUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface ChatCompletionBody {
  model?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: boolean | null; [key: string]: unknown } | null;
  service_tier?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  messages?: unknown;
  tools?: unknown;
  /** The older form of `tools`. */
  functions?: unknown;
  [key: string]: unknown;
}

/** A chat completion, or one chunk of a streamed one. */
export interface ChatCompletionLike {
  id?: unknown;
  model?: unknown;
  service_tier?: unknown;
  choices?: ({ index?: unknown; finish_reason?: unknown } | null)[];
  usage?: ChatCompletionUsage | null;
}

export interface ResponseUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface ResponseBody {
  model?: unknown;
  stream?: unknown;
  service_tier?: unknown;
  max_output_tokens?: unknown;
  input?: unknown;
  instructions?: unknown;
  tools?: unknown;
  [key: string]: unknown;
}

export interface ResponseLike {
  id?: unknown;
  model?: unknown;
  service_tier?: unknown;
  usage?: ResponseUsage | null;
  /** `completed`, `incomplete`, `failed`, … */
  status?: unknown;
  incomplete_details?: { reason?: unknown } | null;
  output?: ({ type?: unknown } | null)[] | null;
}

/** A Responses API stream event. */
export interface ResponseStreamEvent {
  type?: unknown;
  response?: ResponseLike;
}

export interface EmbeddingBody {
  model?: unknown;
}

export interface EmbeddingResponseLike {
  model?: unknown;
  usage?: { prompt_tokens?: number } | null;
}

/** The module's exports as far as the patches reach (the CJS exports or the ESM namespace). */
export interface OpenAIModuleExports {
  OpenAI?: OpenAIClass;
  default?: OpenAIClass;
}

export interface OpenAIClass {
  Chat?: { Completions?: { prototype: object } };
  Responses?: { prototype: object };
  Embeddings?: { prototype: object };
}
