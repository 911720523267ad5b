/**
 * The parts of the Anthropic Messages wire shapes the instrumentation reads,
 * declared here (all optional) so no SDK major's types leak in; never exported.
 */

export interface MessageUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
  service_tier?: unknown;
}

export interface MessageBody {
  model?: unknown;
  stream?: unknown;
  max_tokens?: unknown;
  service_tier?: unknown;
  messages?: unknown;
  system?: unknown;
  tools?: unknown;
  [key: string]: unknown;
}

export interface MessageLike {
  id?: unknown;
  model?: unknown;
  usage?: MessageUsage | null;
  stop_reason?: unknown;
}

/** `message_start` carries the message (with input usage); `message_delta` the cumulative usage and the stop reason. */
export interface MessageStreamEvent {
  type?: unknown;
  message?: MessageLike;
  usage?: MessageUsage | null;
  delta?: { stop_reason?: unknown } | null;
}

export interface AnthropicModuleExports {
  Anthropic?: AnthropicClass;
  default?: AnthropicClass;
}

export interface AnthropicClass {
  Messages?: { prototype: object };
  Beta?: { Messages?: { prototype: object } };
}
