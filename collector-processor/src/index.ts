/** `@tokenmeter/collector-processor`: OTLP/HTTP receiver that prices and normalises GenAI telemetry (README.md). */
export { startCollector } from './collector.js';
export type { RunningCollector, StartOptions } from './collector.js';
export { loadConfig, ConfigError, isLoopback } from './config.js';
export type { CollectorConfig, ConfigProblem, OwnSpans, LogUsage } from './config.js';
export { StartupError } from './startup-error.js';
export { spanToCall, normaliseProvider } from './normalize/genai-call.js';
export type { GenAiCall, SpanSource } from './normalize/genai-call.js';
export { decodeTracesProto } from './receive/decode-traces.js';
export { decodeMetricsProto } from './receive/decode-metrics.js';
export { decodeLogsProto } from './receive/decode-logs.js';
export { decodeTracesJson, decodeMetricsJson, decodeLogsJson, JsonDecodeError } from './receive/decode-json.js';
export { ProtoDecodeError } from './receive/proto-reader.js';
export { OWN_SCOPE } from './processor.js';
