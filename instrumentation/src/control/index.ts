/**
 * The SDK's link to the control plane: the usage reporter (a sink), the
 * enforcement client (SSE + polling) and the enforcement gate, started
 * together by `startControlLink` (the SDK does this when
 * `TOKENMETER_CONTROL_PLANE_URL` is set).
 */
import type { EnforcementMode } from '../config/types.js';
import { addGate, addSink } from '../core/hooks.js';
import { demandFingerprints } from '../fingerprint/pending.js';
import type { EnforcementState } from '../protocol.js';
import { EnforcementClient, type LinkStatus } from './enforcement-client.js';
import { requestsSync } from './sync-http.js';
import { Enforcer } from './gate.js';
import { defaultLogger, type Logger } from './logger.js';
import { ControlMetrics } from './metrics.js';
import type { ProviderPolicy } from './provider-limits.js';
import { PriceTableClient } from './prices.js';
import { UsageReporter } from './reporter.js';

export interface ControlLinkOptions {
  /** Base URL of the control plane, e.g. http://127.0.0.1:9470 */
  url: string;
  /** Bearer token (TOKENMETER_API_TOKEN). */
  token?: string;
  enforcement: EnforcementMode;
  reportIntervalMillis: number;
  maxBufferedRecords: number;
  serviceName?: string;
  /** Most records per delivery (default 1,000). */
  maxBatchRecords?: number;
  /** Timeout of one delivery (default 10 s). */
  exportTimeoutMillis?: number;
  /** Poll interval of `GET /api/v1/enforcement` while the SSE stream is down (default 5 s). */
  pollIntervalMillis?: number;
  /** Reconnect back-off of the SSE stream (defaults 250 ms doubling to 30 s, jittered). */
  reconnectInitialMillis?: number;
  reconnectMaxMillis?: number;
  /** First retry delay of a failed delivery (default 500 ms, doubling to 30 s). */
  initialRetryMillis?: number;
  /** Also report calls the SDK refused (outcome `blocked`) to the ledger (default false: the control plane would count them as requests). */
  reportBlockedCalls?: boolean;
  /** How often the control plane's price table is re-fetched for local pricing (default 5 min; 0 = never fetch it). */
  priceRefreshMillis?: number;
  /** Where warnings go (default: stderr for warnings, OTel diag for info). */
  logger?: Logger;
  /**
   * Fail-closed: how long after the link starts a call made before the first
   * enforcement state waits for it (synchronously, once) instead of being
   * refused as "unreachable" (default 3000 ms; 0 = no wait).
   */
  startupWaitMillis?: number;
}

export interface ControlLink {
  forceFlush(): Promise<void>;
  /** At `process.exit()`: delivers buffered usage synchronously within `waitMillis`. */
  flushSync(waitMillis: number): void;
  shutdown(): Promise<void>;
  /** Resolves true once the first enforcement state arrived (false after the timeout, or with enforcement off). */
  ready(timeoutMillis?: number): Promise<boolean>;
  /** `TOKENMETER_ENFORCEMENT` in force. */
  readonly mode: EnforcementMode;
  /** Reachability of the control plane (`connecting` before the first answer). */
  readonly status: LinkStatus | 'off';
  /** The latest enforcement state. */
  readonly state: EnforcementState | undefined;
  /** The per-call enforcement (undefined when enforcement is off). */
  readonly enforcer: Enforcer | undefined;
  /** Provider settings and limits (undefined when enforcement is off). */
  readonly policy: ProviderPolicy | undefined;
  /** The usage reporter. */
  readonly reporter: UsageReporter;
}

let active: ControlLink | undefined;

/** The link started last and not yet shut down (the router reads provider settings from it). */
export function activeControlLink(): ControlLink | undefined {
  return active;
}

/** Starts the usage reporter and the enforcement client. */
export function startControlLink(options: ControlLinkOptions): ControlLink {
  if (options.url === '' || !URL.canParse(options.url)) {
    throw new TypeError(`tokenmeter: TOKENMETER_CONTROL_PLANE_URL must be an absolute URL, got "${options.url}"`);
  }
  const logger = options.logger ?? defaultLogger;
  const metrics = new ControlMetrics();
  const removals: (() => void)[] = [];

  let client: EnforcementClient | undefined;
  let enforcer: Enforcer | undefined;
  if (options.enforcement !== 'off') {
    const clientRef: { current?: EnforcementClient } = {};
    const startedAt = Date.now();
    const waitMillis = options.startupWaitMillis ?? 3000;
    let waited = false;
    // Fail-closed before the first state: wait for it once (bounded) rather than refuse a healthy start-up.
    const awaitFirstState = (): boolean => {
      const current = clientRef.current;
      if (current === undefined || current.state !== undefined) return current?.state !== undefined;
      const remaining = startedAt + waitMillis - Date.now();
      if (waited || remaining <= 0) return false;
      waited = true;
      try {
        const headers: Record<string, string> = { accept: 'application/json' };
        if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`;
        const [answer] = requestsSync([{ method: 'GET', url: new URL('/api/v1/enforcement', options.url).toString(), headers }], remaining, true);
        if (answer !== undefined && answer.status === 200 && current.offerState(answer.text)) return true;
      } catch (error) {
        logger.warn(`tokenmeter: waiting for the first enforcement state failed: ${String(error)}`);
      }
      logger.warn(`tokenmeter: no enforcement state from ${options.url} within ${waitMillis} ms of start-up; TOKENMETER_ENFORCEMENT=fail-closed refuses calls until one arrives`);
      return false;
    };
    enforcer = new Enforcer({
      mode: options.enforcement,
      status: () => clientRef.current?.status ?? 'connecting',
      metrics,
      awaitFirstState: options.enforcement === 'fail-closed' && waitMillis > 0 ? awaitFirstState : undefined,
    });
    const target = enforcer;
    client = new EnforcementClient({
      url: options.url,
      token: options.token,
      onState: (state) => target.applyState(state),
      pollIntervalMillis: options.pollIntervalMillis,
      reconnectInitialMillis: options.reconnectInitialMillis,
      reconnectMaxMillis: options.reconnectMaxMillis,
      logger,
      metrics,
    });
    clientRef.current = client;
    removals.push(addGate(enforcer.gate), addSink(enforcer.sink));
  }

  const policy = enforcer?.policy;
  const reporter = new UsageReporter({
    url: options.url,
    token: options.token,
    reportIntervalMillis: options.reportIntervalMillis,
    maxBufferedRecords: options.maxBufferedRecords,
    maxBatchRecords: options.maxBatchRecords,
    exportTimeoutMillis: options.exportTimeoutMillis,
    initialRetryMillis: options.initialRetryMillis,
    serviceName: options.serviceName,
    reportBlockedCalls: options.reportBlockedCalls,
    onAcknowledged: policy === undefined ? undefined : (ids, ackMs) => policy.acknowledge(ids, ackMs),
    logger,
    metrics,
  });
  removals.push(addSink(reporter.sink), demandFingerprints());
  client?.start();
  const prices =
    options.priceRefreshMillis === 0
      ? undefined
      : new PriceTableClient({ url: options.url, token: options.token, refreshMillis: options.priceRefreshMillis, logger });
  prices?.start();

  let stopping: Promise<void> | undefined;
  const link: ControlLink = {
    mode: options.enforcement,
    get status() {
      return client?.status ?? 'off';
    },
    get state() {
      return client?.state;
    },
    enforcer,
    policy,
    reporter,
    ready: (timeoutMillis) => client?.ready(timeoutMillis) ?? Promise.resolve(false),
    forceFlush: () => reporter.forceFlush(),
    flushSync: (waitMillis) => reporter.flushSync(waitMillis),
    shutdown() {
      stopping ??= (async () => {
        for (const remove of removals) remove();
        if (active === link) active = undefined;
        prices?.stop();
        await Promise.all([reporter.shutdown(), client?.stop()]);
      })();
      return stopping;
    },
  };
  active = link;
  return link;
}

export { QuotaExceededError, ProviderUnavailableError, GovernanceConfigError, isRefusal } from './errors.js';
export type { ProviderUnavailableReason, ProviderLimitName } from './errors.js';
export type { LinkStatus } from './enforcement-client.js';
export type { Logger } from './logger.js';
export type { ProviderSettings, ProviderCounterView } from './provider-limits.js';
export type { Enforcer } from './gate.js';
export type { ProviderPolicy } from './provider-limits.js';
export type { UsageReporter } from './reporter.js';
