/**
 * Counters of the control link and the router, through the global
 * MeterProvider (`@opentelemetry/api`). Instruments are created when the link
 * or a router starts, after the SDK has registered its MeterProvider (the
 * metrics API has no proxy provider). All of them are off the allow path:
 * they count refusals, outages, fallbacks and reporter trouble.
 */
import { metrics, type Attributes, type Counter } from '@opentelemetry/api';
import { ATTR_GEN_AI_PROVIDER_NAME } from '../semconv.js';

/** Calls decided while the control plane was unreachable, by `tokenmeter.enforcement.mode` (`fail-open` let them through, `fail-closed` refused them). */
export const METRIC_ENFORCEMENT_UNAVAILABLE = 'tokenmeter.enforcement.unavailable';
/** Times the control plane became unreachable (one per outage). */
export const METRIC_ENFORCEMENT_OUTAGES = 'tokenmeter.enforcement.outages';
/** Calls refused by the SDK, by `tokenmeter.enforcement.reason` (`quota`, `disabled`, `rate_limited`, `enforcement_unavailable`) and scope. */
export const METRIC_ENFORCEMENT_REFUSALS = 'tokenmeter.enforcement.refusals';
/** Router attempts that failed over to another provider, by provider and `tokenmeter.router.reason`. */
export const METRIC_ROUTER_FALLBACKS = 'tokenmeter.router.fallbacks';
/** Providers put into cool-down by the router's circuit breaker. */
export const METRIC_ROUTER_COOLDOWNS = 'tokenmeter.router.cooldowns';
/** Usage records delivered to the control plane. */
export const METRIC_REPORTER_EXPORTED = 'tokenmeter.reporter.exported';
/** Usage records dropped because the buffer was full (oldest first). */
export const METRIC_REPORTER_DROPPED = 'tokenmeter.reporter.dropped';
/** Failed deliveries of a batch (each is retried with the same ids). */
export const METRIC_REPORTER_FAILURES = 'tokenmeter.reporter.failures';
/** Usage records the control plane refused, by `tokenmeter.reporter.code`: dropped, never retried. */
export const METRIC_REPORTER_REJECTED = 'tokenmeter.reporter.rejected';
/** Usage records the SDK itself refused as implausible (tokens beyond any context, impossible times), never sent. */
export const METRIC_REPORTER_IMPLAUSIBLE = 'tokenmeter.reporter.implausible';
/** Invalid governance settings found at start-up, by `tokenmeter.config.variable` (each counted once). */
export const METRIC_CONFIG_ERRORS = 'tokenmeter.config.errors';

/** Attribute: enforcement mode. */
export const ATTR_ENFORCEMENT_MODE = 'tokenmeter.enforcement.mode';
/** Attribute: why a call was refused. */
export const ATTR_ENFORCEMENT_REASON = 'tokenmeter.enforcement.reason';
/** Attribute: scope of the block that refused a call. */
export const ATTR_ENFORCEMENT_SCOPE = 'tokenmeter.enforcement.scope';
/** Attribute: why the router fell back. */
export const ATTR_ROUTER_REASON = 'tokenmeter.router.reason';
/** Attribute: the control plane's code for a rejected record (`invalid_record`, `implausible`, `http_422`, …). */
export const ATTR_REPORTER_CODE = 'tokenmeter.reporter.code';
/** Attribute: the environment variable of an invalid setting. */
export const ATTR_CONFIG_VARIABLE = 'tokenmeter.config.variable';

const METER_NAME = '@tokenmeter/instrumentation';

export class ControlMetrics {
  private readonly _unavailable: Counter;
  private readonly _outages: Counter;
  private readonly _refusals: Counter;
  private readonly _fallbacks: Counter;
  private readonly _cooldowns: Counter;
  private readonly _exported: Counter;
  private readonly _dropped: Counter;
  private readonly _failures: Counter;
  private readonly _rejected: Counter;
  private readonly _implausible: Counter;
  private readonly _configErrors: Counter;

  constructor() {
    const meter = metrics.getMeter(METER_NAME);
    this._unavailable = meter.createCounter(METRIC_ENFORCEMENT_UNAVAILABLE, {
      description: 'Calls decided while the control plane was unreachable',
      unit: '{request}',
    });
    this._outages = meter.createCounter(METRIC_ENFORCEMENT_OUTAGES, {
      description: 'Times the control plane became unreachable',
      unit: '{outage}',
    });
    this._refusals = meter.createCounter(METRIC_ENFORCEMENT_REFUSALS, {
      description: 'Calls refused by the SDK before they left the process',
      unit: '{request}',
    });
    this._fallbacks = meter.createCounter(METRIC_ROUTER_FALLBACKS, {
      description: 'Router attempts that fell back to another provider',
      unit: '{fallback}',
    });
    this._cooldowns = meter.createCounter(METRIC_ROUTER_COOLDOWNS, {
      description: 'Providers put into cool-down after repeated failures',
      unit: '{cooldown}',
    });
    this._exported = meter.createCounter(METRIC_REPORTER_EXPORTED, {
      description: 'Usage records delivered to the control plane',
      unit: '{record}',
    });
    this._dropped = meter.createCounter(METRIC_REPORTER_DROPPED, {
      description: 'Usage records dropped because the buffer was full',
      unit: '{record}',
    });
    this._failures = meter.createCounter(METRIC_REPORTER_FAILURES, {
      description: 'Failed deliveries of a usage batch (retried with the same ids)',
      unit: '{batch}',
    });
    this._rejected = meter.createCounter(METRIC_REPORTER_REJECTED, {
      description: 'Usage records the control plane refused (dropped, never retried)',
      unit: '{record}',
    });
    this._implausible = meter.createCounter(METRIC_REPORTER_IMPLAUSIBLE, {
      description: 'Usage records the SDK refused as implausible (never sent)',
      unit: '{record}',
    });
    this._configErrors = meter.createCounter(METRIC_CONFIG_ERRORS, {
      description: 'Invalid governance settings found at start-up',
      unit: '{setting}',
    });
  }

  unavailableCall(mode: string): void {
    this._unavailable.add(1, { [ATTR_ENFORCEMENT_MODE]: mode });
  }

  outage(): void {
    this._outages.add(1);
  }

  refusal(reason: string, provider: string, scope?: string): void {
    const attributes: Attributes = { [ATTR_ENFORCEMENT_REASON]: reason, [ATTR_GEN_AI_PROVIDER_NAME]: provider };
    if (scope !== undefined) attributes[ATTR_ENFORCEMENT_SCOPE] = scope;
    this._refusals.add(1, attributes);
  }

  fallback(provider: string, reason: string): void {
    this._fallbacks.add(1, { [ATTR_GEN_AI_PROVIDER_NAME]: provider, [ATTR_ROUTER_REASON]: reason });
  }

  cooldown(provider: string): void {
    this._cooldowns.add(1, { [ATTR_GEN_AI_PROVIDER_NAME]: provider });
  }

  exported(records: number): void {
    this._exported.add(records);
  }

  dropped(records: number): void {
    this._dropped.add(records);
  }

  failure(): void {
    this._failures.add(1);
  }

  rejected(records: number, code: string): void {
    this._rejected.add(records, { [ATTR_REPORTER_CODE]: code });
  }

  implausible(records: number): void {
    this._implausible.add(records);
  }

  configError(variable: string): void {
    this._configErrors.add(1, { [ATTR_CONFIG_VARIABLE]: variable });
  }
}
