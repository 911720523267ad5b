export interface AuditEntry {
  id: number;
  time_ms: number;
  kind: string;
  action: string;
  actor: string;
  subject: string | null;
  reason: string | null;
}
export interface QuotaWindow {
  subject: string;
  limit: number;
  usage: number;
  utilization: number;
  usage_usd?: string;
  limit_usd?: string;
  window_start: string;
  next_reset: string;
}
export interface QuotaWithStatus {
  id: string;
  scope: string;
  metric: string;
  enforcement: string;
  thresholds?: number[];
  status?: { period: string; windows: QuotaWindow[] };
}
export interface SeenWindow {
  quotaId: string;
  subject: string;
  windowStart: string;
  reached: number;
}
export declare function amount(metric: string, window: QuotaWindow): string;
export declare function auditLine(entry: AuditEntry): string | undefined;
export declare function quotaLines(quotas: readonly QuotaWithStatus[], seen: Map<string, SeenWindow>): string[];
export declare function alertsReceived(metricsText: string): Map<string, number>;
export interface StoryOptions {
  controlPlaneUrl: string;
  readToken: string;
  alertmanagerUrl?: string;
  /** Audit records before this time (ms) are not told. */
  since: number;
  print?: (line: string) => void;
}
export declare class Story {
  constructor(options: StoryOptions);
  start(intervalMs?: number): void;
  stop(): Promise<void>;
  poll(): Promise<void>;
}
