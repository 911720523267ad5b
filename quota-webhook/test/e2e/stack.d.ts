/** Types of stack.js (plain JS so that the crossing bench runs it without a build step of its own). */
import type { RunningMockLlm } from '@tokenmeter/mock-llm';
import type { ManagedProcess, RunningAlertmanager, RunningPrometheus } from '@tokenmeter/testkit';

export declare const QUOTA_WEBHOOK_DIR: string;
export declare const TOKENS: Readonly<{ admin: string; read: string; ingest: string; alertmanager: string }>;
export type Role = keyof typeof TOKENS;

export interface StackOptions {
  /** The SDK's `TOKENMETER_REPORT_INTERVAL_MS` (default 1000, the SDK's own default). */
  reportIntervalMillis?: number;
  /** Alertmanager `group_interval` on every route (default 1; `null` keeps the shipped alertmanager.yml values). */
  groupIntervalSeconds?: number | null;
  /** The control plane's `TOKENMETER_RESET_CHECK_MS` (default: the service's own, 1000). */
  resetCheckMillis?: number;
  controlPlaneEnv?: Record<string, string>;
  serviceEnv?: Record<string, string>;
}

export interface ControlPlaneProcess {
  url: string;
  port: number;
  dbPath: string;
  process: ManagedProcess;
  /** SIGTERM, then the same port and database again with `env` added (e.g. `TOKENMETER_TEST_CLOCK_OFFSET_MS`, which preloads `support/shift-clock.mjs`). */
  restart(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** One webhook request exactly as Alertmanager sent it, and the control plane's answer. */
export interface ReceivedWebhook {
  receivedMs: number;
  raw: string;
  body: {
    status: 'firing' | 'resolved';
    receiver: string;
    alerts: Array<{ status: 'firing' | 'resolved'; labels: Record<string, string>; startsAt: string; fingerprint?: string }>;
  };
  status?: number;
  response?: string;
}

export type Attribution = Partial<Record<'org' | 'department' | 'user' | 'feature' | 'investigation' | 'session', string>>;
export interface Usage {
  input?: number;
  output?: number;
  cache_read?: number;
  cache_write?: number;
  reasoning?: number;
}

/** A refusal (or provider error) as the service saw it. */
export interface ServiceError {
  name: string;
  message: string;
  status?: number;
  code?: string;
  scope?: string;
  subject?: string;
  quotaId?: string;
  limit?: number;
  usage?: number;
  reason?: string;
  blockId?: string;
  resetAt?: string;
}

export type CallResult = { ok: true; model: string; usage: Record<string, unknown> } | { ok: false; error: ServiceError };

export interface RunResult {
  calls: Array<{ startMs: number; endMs: number; ok: boolean; error?: ServiceError }>;
}

export interface ServiceProcess {
  url: string;
  process: ManagedProcess;
  call(request: { attribution: Attribution; model?: string; usage: Usage }): Promise<CallResult>;
  /** The SDK's local decision for a call with this attribution, without making one. */
  check(attribution: Attribution): Promise<{ allowed: true } | { allowed: false; error: ServiceError }>;
  /** Calls at `ratePerSecond` until the first refusal or `maxCalls`; times from the service's clock. */
  run(request: { attribution: Attribution; model?: string; usage: Usage; ratePerSecond: number; maxCalls: number }): Promise<RunResult>;
  flush(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface Stack {
  tokens: typeof TOKENS;
  dir: string;
  mock: RunningMockLlm;
  controlPlane: ControlPlaneProcess;
  alertmanager: RunningAlertmanager;
  prometheus: RunningPrometheus;
  service: ServiceProcess;
  /** Every webhook request Alertmanager made, in arrival order. */
  webhooks: ReceivedWebhook[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, inspected ad hoc
  request<T = any>(method: string, path: string, body?: unknown, role?: Role): Promise<{ status: number; headers: Headers; body: T }>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, inspected ad hoc
  api<T = any>(method: string, path: string, body?: unknown, role?: Role): Promise<T>;
  /** Stops everything (service first, so it flushes) and removes the state directory. Idempotent. */
  stop(): Promise<void>;
}

export declare function startStack(options?: StackOptions): Promise<Stack>;
