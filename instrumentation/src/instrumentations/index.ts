// STUB (replaced by the SDK-patches engineer): enables the OpenAI and Anthropic patches.
export interface InstrumentationOptions {
  /** Inject `stream_options.include_usage` into OpenAI streaming requests (default true). */
  openaiIncludeStreamUsage: boolean;
}

export function enableInstrumentations(_options: InstrumentationOptions): () => void {
  return () => {};
}
