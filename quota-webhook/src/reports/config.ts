/**
 * Report settings from the environment (parsed once at start-up with the rest
 * of the configuration). SMTP host, port, TLS and credentials and the webhook
 * signing key come only from here, never from the API.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465); otherwise STARTTLS per `startTls`. */
  secure: boolean;
  /** `required`: refuse to send without STARTTLS; `opportunistic`: use it when offered; `off`: never. */
  startTls: 'required' | 'opportunistic' | 'off';
  /** Verify the server's certificate (default true). */
  rejectUnauthorized: boolean;
  user?: string;
  password?: string;
  from: string;
}

export interface ReportsConfig {
  /** Most table rows in a PDF (the totals and charts cover every row). */
  maxPdfRows: number;
  /** Folder destinations are paths below this directory. */
  folderRoot: string;
  /** Where a scheduled run writes its file before delivering it. */
  spoolDir: string;
  /** Run schedules in this process (`false` on replicas that should only serve the API). */
  schedulerEnabled: boolean;
  /** How often the scheduler looks for due schedules, ms. */
  schedulerTickMillis: number;
  /** Runs kept per schedule (older ones are pruned). */
  runHistory: number;
  /** A run still `running` after this long was interrupted (its process stopped), ms. */
  staleRunMillis: number;
  webhook: {
    attempts: number;
    /** First retry delay, ms; doubled per attempt, with jitter. */
    backoffMillis: number;
    timeoutMillis: number;
    /** Key of the `X-Tokenmeter-Signature` HMAC-SHA256 header; unsigned when absent. */
    secret?: string;
  };
  /** Email destinations are refused while this is absent. */
  smtp?: SmtpConfig;
}

export class ReportsConfigError extends Error {
  override name = 'ConfigError';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ReportsConfigError(`${name}="${raw}" must be an integer from ${min} to ${max}`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ReportsConfigError(`${name}="${env[name]}" must be true or false`);
}

function str(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function smtp(env: NodeJS.ProcessEnv): SmtpConfig | undefined {
  const host = str(env, 'TOKENMETER_SMTP_HOST');
  if (host === undefined) return undefined;
  const from = str(env, 'TOKENMETER_SMTP_FROM');
  if (from === undefined) throw new ReportsConfigError('TOKENMETER_SMTP_FROM must be set with TOKENMETER_SMTP_HOST (the sender address of report emails)');
  const secure = bool(env, 'TOKENMETER_SMTP_SECURE', false);
  const startTls = (str(env, 'TOKENMETER_SMTP_STARTTLS') ?? 'required').toLowerCase();
  if (startTls !== 'required' && startTls !== 'opportunistic' && startTls !== 'off') {
    throw new ReportsConfigError(`TOKENMETER_SMTP_STARTTLS="${startTls}" must be required, opportunistic or off`);
  }
  const user = str(env, 'TOKENMETER_SMTP_USER');
  const password = str(env, 'TOKENMETER_SMTP_PASSWORD');
  if ((user === undefined) !== (password === undefined)) throw new ReportsConfigError('TOKENMETER_SMTP_USER and TOKENMETER_SMTP_PASSWORD must be set together');
  return {
    host, port: int(env, 'TOKENMETER_SMTP_PORT', secure ? 465 : 587, 1, 65535), secure, startTls,
    rejectUnauthorized: bool(env, 'TOKENMETER_SMTP_TLS_REJECT_UNAUTHORIZED', true), from,
    ...(user !== undefined ? { user, password } : {}),
  };
}

export function loadReportsConfig(env: NodeJS.ProcessEnv = process.env): ReportsConfig {
  const secret = str(env, 'TOKENMETER_REPORT_WEBHOOK_SECRET');
  const config: ReportsConfig = {
    maxPdfRows: int(env, 'TOKENMETER_REPORT_MAX_PDF_ROWS', 5000, 1, 1_000_000),
    folderRoot: resolve(str(env, 'TOKENMETER_REPORT_FOLDER_ROOT') ?? './reports'),
    spoolDir: resolve(str(env, 'TOKENMETER_REPORT_SPOOL_DIR') ?? join(tmpdir(), 'tokenmeter-report-spool')),
    schedulerEnabled: bool(env, 'TOKENMETER_REPORT_SCHEDULER', true),
    schedulerTickMillis: int(env, 'TOKENMETER_REPORT_TICK_MS', 15_000, 50, 3_600_000),
    runHistory: int(env, 'TOKENMETER_REPORT_RUN_HISTORY', 100, 1, 100_000),
    staleRunMillis: int(env, 'TOKENMETER_REPORT_STALE_RUN_MS', 6 * 3_600_000, 60_000, 7 * 24 * 3_600_000),
    webhook: {
      attempts: int(env, 'TOKENMETER_REPORT_WEBHOOK_ATTEMPTS', 5, 1, 20),
      backoffMillis: int(env, 'TOKENMETER_REPORT_WEBHOOK_BACKOFF_MS', 1000, 0, 600_000),
      timeoutMillis: int(env, 'TOKENMETER_REPORT_WEBHOOK_TIMEOUT_MS', 30_000, 100, 600_000),
      ...(secret !== undefined ? { secret } : {}),
    },
  };
  const s = smtp(env);
  if (s) config.smtp = s;
  return config;
}
