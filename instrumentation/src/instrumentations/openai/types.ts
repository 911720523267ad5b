import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Configuration of the OpenAI SDK instrumentation. */
export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Add `stream_options: { include_usage: true }` to streaming chat requests that
   * do not set it, so streamed calls are metered (the usage-only final chunk is
   * then hidden from the caller). Default true; `TOKENMETER_OPENAI_INCLUDE_USAGE=false`
   * turns it off (for OpenAI-compatible servers that reject the option).
   */
  includeStreamUsage?: boolean;
}
