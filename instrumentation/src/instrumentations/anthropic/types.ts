import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Configuration of the Anthropic SDK instrumentation (no options of its own yet). */
export type AnthropicInstrumentationConfig = InstrumentationConfig;
