export { withAttribution, currentAttribution, setDefaultAttribution } from './attribution/context.js';
export { addGate, addSink, runGates, emitFinished } from './core/hooks.js';
export type { CallDescriptor, CallCost, FinishedCall, CallGate, CallSink } from './core/hooks.js';
export type {
  Attribution,
  TokenUsage,
  UsageRecord,
  UsageBatch,
  EnforcementBlock,
  EnforcementState,
  ProviderLimits,
  ProviderState,
  ProviderUsage,
  QuotaScope,
  QuotaMetric,
  QuotaPeriod,
} from './protocol.js';
