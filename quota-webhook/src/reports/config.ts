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

export interface ReportsConfigProblem {
  variable: string;
  message: string;
}

/** Reads the variables, noting every bad one (the control plane's `loadConfig` reports them with its own). */
class Reader {
  readonly problems: ReportsConfigProblem[] = [];
  constructor(private readonly _env: NodeJS.ProcessEnv) {}

  str(name: string): string | undefined {
    const v = this._env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) {
      this.problems.push({ variable: name, message: `must be a whole number from ${min} to ${max} in plain digits (got "${raw}")` });
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    this.problems.push({ variable: name, message: `must be true or false (got "${raw}")` });
    return fallback;
  }
}

function smtp(r: Reader): SmtpConfig | undefined {
  const host = r.str('TOKENMETER_SMTP_HOST');
  if (host === undefined) return undefined;
  const from = r.str('TOKENMETER_SMTP_FROM');
  if (from === undefined) r.problems.push({ variable: 'TOKENMETER_SMTP_FROM', message: 'must be set with TOKENMETER_SMTP_HOST (the sender address of report emails)' });
  const secure = r.bool('TOKENMETER_SMTP_SECURE', false);
  const startTls = (r.str('TOKENMETER_SMTP_STARTTLS') ?? 'required').toLowerCase();
  if (startTls !== 'required' && startTls !== 'opportunistic' && startTls !== 'off') {
    r.problems.push({ variable: 'TOKENMETER_SMTP_STARTTLS', message: `must be required, opportunistic or off (got "${startTls}")` });
  }
  const user = r.str('TOKENMETER_SMTP_USER');
  const password = r.str('TOKENMETER_SMTP_PASSWORD');
  if ((user === undefined) !== (password === undefined)) {
    r.problems.push({ variable: user === undefined ? 'TOKENMETER_SMTP_USER' : 'TOKENMETER_SMTP_PASSWORD', message: 'TOKENMETER_SMTP_USER and TOKENMETER_SMTP_PASSWORD must be set together' });
  }
  return {
    host, port: r.int('TOKENMETER_SMTP_PORT', secure ? 465 : 587, 1, 65535), secure,
    startTls: startTls as SmtpConfig['startTls'], rejectUnauthorized: r.bool('TOKENMETER_SMTP_TLS_REJECT_UNAUTHORIZED', true), from: from ?? '',
    ...(user !== undefined ? { user, password: password ?? '' } : {}),
  };
}

/** The report settings of `env`, and every problem found (the config is usable only when there are none). */
export function loadReportsConfig(env: NodeJS.ProcessEnv = process.env): { config: ReportsConfig; problems: ReportsConfigProblem[] } {
  const r = new Reader(env);
  const secret = r.str('TOKENMETER_REPORT_WEBHOOK_SECRET');
  const config: ReportsConfig = {
    maxPdfRows: r.int('TOKENMETER_REPORT_MAX_PDF_ROWS', 5000, 1, 1_000_000),
    folderRoot: resolve(r.str('TOKENMETER_REPORT_FOLDER_ROOT') ?? './reports'),
    spoolDir: resolve(r.str('TOKENMETER_REPORT_SPOOL_DIR') ?? join(tmpdir(), 'tokenmeter-report-spool')),
    schedulerEnabled: r.bool('TOKENMETER_REPORT_SCHEDULER', true),
    schedulerTickMillis: r.int('TOKENMETER_REPORT_TICK_MS', 15_000, 50, 3_600_000),
    runHistory: r.int('TOKENMETER_REPORT_RUN_HISTORY', 100, 1, 100_000),
    staleRunMillis: r.int('TOKENMETER_REPORT_STALE_RUN_MS', 6 * 3_600_000, 60_000, 7 * 24 * 3_600_000),
    webhook: {
      attempts: r.int('TOKENMETER_REPORT_WEBHOOK_ATTEMPTS', 5, 1, 20),
      backoffMillis: r.int('TOKENMETER_REPORT_WEBHOOK_BACKOFF_MS', 1000, 0, 600_000),
      timeoutMillis: r.int('TOKENMETER_REPORT_WEBHOOK_TIMEOUT_MS', 30_000, 100, 600_000),
      ...(secret !== undefined ? { secret } : {}),
    },
  };
  const s = smtp(r);
  if (s) config.smtp = s;
  return { config, problems: r.problems };
}
