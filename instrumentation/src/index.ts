// Public API of @tokenmeter/instrumentation, by name (no `export *`). Subpaths:
// `/register` (CJS hook), `/register.mjs` (ESM hook), `/express`, `/semconv`, `/protocol`, `/pricing`.

// Set-up and configuration
export { startTokenmeter } from './sdk.js';
export type { StartOptions, TokenmeterHandle } from './sdk.js';
export { parseConfig, ConfigError } from './config/env.js';
export type { TokenmeterConfig, ConfigProblem, GovernanceProblem, MetricsExporterName, TracesExporterName } from './config/env.js';
export type { EnforcementMode } from './config/types.js';

// Attribution
export { withAttribution, currentAttribution, setDefaultAttribution } from './attribution/context.js';
export { attributionFromHeaders, DEFAULT_ATTRIBUTION_HEADERS } from './attribution/headers.js';
export type { HeaderAttributionOptions, HeaderAttributionReader, IncomingHeaders } from './attribution/headers.js';
export { tokenmeterExpress } from './attribution/express.js';
export type { TokenmeterExpressOptions, AttributionRequest } from './attribution/express.js';

// The call seam (custom gates and sinks)
export { addGate, addSink, runGates, emitFinished } from './core/hooks.js';
export type { CallDescriptor, CallCost, FinishedCall, CallGate, CallSink } from './core/hooks.js';

// Enforcement errors callers may catch
export { QuotaExceededError, ProviderUnavailableError, GovernanceConfigError, isRefusal } from './control/index.js';

// Wire shapes
export type {
  Attribution,
  TokenUsage,
  UsageRecord,
  UsageBatch,
  UsageIngestResponse,
  RejectedRecord,
  PromptFingerprint,
  EnforcementBlock,
  EnforcementState,
  ProviderLimits,
  ProviderState,
  ProviderUsage,
  QuotaScope,
  QuotaMetric,
  QuotaPeriod,
} from './protocol.js';

// Router (issue 5)
export { createRouter, AllProvidersFailedError } from './router/index.js';
export type { Router, RouterOptions, RouterProvider } from './router/index.js';
