/**
 * Configuration from the environment, parsed and validated once at start-up
 * (every bad variable reported at once, each named with what to fix), then
 * passed down. The defaults are safe: with no token configured the service
 * listens on loopback only.
 */
import { z } from 'zod';
import { loadReportsConfig, type ReportsConfig } from './reports/config.js';

/** Default of `TOKENMETER_METRICS_FORECAST_MAX_SUBJECTS`. */
export const FORECAST_MAX_SUBJECTS = 100;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type TokenRole = 'admin' | 'read' | 'ingest' | 'alertmanager' | 'metrics';

export interface Config {
  host: string;
  port: number;
  /** `postgres://…` selects Postgres; a path, `file:` or `sqlite:` URL (or `:memory:`) selects SQLite. */
  dbUrl: string;
  /** SQLite `synchronous`: `full` (fsync on every commit: survives power loss) or `normal` (WAL: survives a process crash). */
  sqliteSynchronous: 'full' | 'normal';
  /** Bearer token per role; `metrics`, when set, is required by `/metrics` (admin and read tokens work there too). */
  tokens: Partial<Record<TokenRole, string>>;
  /** Serve without tokens on a non-loopback address (`TOKENMETER_ALLOW_UNAUTHENTICATED=true`). */
  allowUnauthenticated: boolean;
  logLevel: LogLevel;
  /** Largest accepted request body, bytes. */
  bodyLimitBytes: number;
  /** Most records in one `POST /usage` batch. */
  maxBatchRecords: number;
  /** SSE: at most one `state` event per this many ms. */
  sseCoalesceMillis: number;
  sseHeartbeatMillis: number;
  /** How often blocks are checked against their period reset. */
  resetCheckMillis: number;
  /** Reports and report schedules (`TOKENMETER_REPORT_*`, `TOKENMETER_SMTP_*`). */
  reports: ReportsConfig;
  /** Most subjects per scope and period in the `tokenmeter_period_*` gauges; the rest are summed into subject `(other)`. */
  metricsMaxSubjects: number;
  /** Most subjects per zone and scope (besides `all`) whose month end `/metrics` forecasts (`method="forecast"`), the costliest by month-to-date. */
  metricsForecastMaxSubjects: number;
  /** A batch that takes a hard quota to its limit blocks at ingest, before the alert (`TOKENMETER_BLOCK_AT_INGEST`, default true). */
  blockAtIngest: boolean;
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every invalid variable at once; the message names each and what to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
  }
}

/** The variable each token role is read from. */
export const TOKEN_VARIABLES: Readonly<Record<TokenRole, string>> = {
  admin: 'TOKENMETER_ADMIN_TOKEN',
  read: 'TOKENMETER_READ_TOKEN',
  ingest: 'TOKENMETER_INGEST_TOKEN',
  alertmanager: 'TOKENMETER_ALERTMANAGER_TOKEN',
  metrics: 'TOKENMETER_METRICS_TOKEN',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A whole number in [min, max], written as plain decimal digits (no sign, spaces, hex or exponent). */
function int(min: number, max: number) {
  return z.string().regex(/^\d{1,16}$/, `must be a whole number from ${min} to ${max} in plain digits`)
    .transform(Number).refine((n) => n >= min && n <= max, { message: `must be from ${min} to ${max}` });
}

const bool = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

/** A database URL this service can open. */
function validDbUrl(url: string): string | undefined {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
      return undefined;
    } catch {
      return 'is not a valid postgres:// URL';
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'file' && scheme !== 'sqlite' && url !== ':memory:' && !/^[a-z]:[\\/]/i.test(url)) {
    return `scheme "${scheme}:" is not supported: use postgres://… or a SQLite file path (file:…)`;
  }
  return undefined;
}

const schema = z.object({
  TOKENMETER_CONTROL_PLANE_HOST: z.string().min(1).optional(),
  TOKENMETER_CONTROL_PLANE_PORT: int(0, 65535).default(9470),
  TOKENMETER_ALLOW_UNAUTHENTICATED: bool.default(false),
  TOKENMETER_DB_URL: z.string().default('file:./tokenmeter.db').superRefine((v, ctx) => {
    const why = validDbUrl(v);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: why });
  }),
  TOKENMETER_SQLITE_SYNCHRONOUS: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['full', 'normal'], { error: 'must be full or normal' })).default('full'),
  TOKENMETER_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  TOKENMETER_BODY_LIMIT_BYTES: int(1024, 512 * 1024 * 1024).default(5 * 1024 * 1024),
  TOKENMETER_MAX_BATCH_RECORDS: int(1, 1_000_000).default(5000),
  TOKENMETER_SSE_COALESCE_MS: int(0, 60_000).default(250),
  TOKENMETER_SSE_HEARTBEAT_MS: int(100, 3_600_000).default(15_000),
  TOKENMETER_RESET_CHECK_MS: int(50, 3_600_000).default(1000),
  TOKENMETER_METRICS_MAX_SUBJECTS: int(1, 1_000_000).default(10_000),
  TOKENMETER_METRICS_FORECAST_MAX_SUBJECTS: int(0, 1_000_000).default(FORECAST_MAX_SUBJECTS),
  TOKENMETER_BLOCK_AT_INGEST: bool.default(true),
  ...Object.fromEntries(Object.values(TOKEN_VARIABLES).map((v) => [v, z.string().min(8, 'must be at least 8 characters').optional()])),
});

/** Variables of 0.1.0 that have a new name. */
const RENAMED: Readonly<Record<string, string>> = {
  TOKENMETER_HOST: 'TOKENMETER_CONTROL_PLANE_HOST',
  TOKENMETER_PORT: 'TOKENMETER_CONTROL_PLANE_PORT',
  TOKENMETER_CLOCK_OFFSET_MS: 'nothing (a test-only setting that no longer exists)',
};

/** Whether `host` is a loopback address (only this machine can connect). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Parses `env` (default `process.env`); throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset (compose files and shells write `X=`).
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = schema.safeParse(picked);
  const problems: ConfigProblem[] = parsed.success ? [] : parsed.error.issues.map((i) => ({
    variable: String(i.path[0] ?? 'environment'),
    message: `${i.message}${picked[String(i.path[0])] !== undefined ? ` (got "${picked[String(i.path[0])]}")` : ''}`,
  }));
  // Renamed variables are refused with their new name, so none is silently ignored.
  for (const [old, now] of Object.entries(RENAMED)) {
    if (env[old] !== undefined && env[old] !== '') problems.push({ variable: old, message: `was renamed: use ${now}` });
  }
  const e = (parsed.success ? parsed.data : {}) as Record<string, unknown>;
  const tokens: Partial<Record<TokenRole, string>> = {};
  const byValue = new Map<string, string>();
  for (const [role, variable] of Object.entries(TOKEN_VARIABLES) as Array<[TokenRole, string]>) {
    const t = e[variable] as string | undefined;
    if (t === undefined) continue;
    const other = byValue.get(t);
    if (other !== undefined) problems.push({ variable, message: `is the same token as ${other}: give every role its own token` });
    byValue.set(t, variable);
    tokens[role] = t;
  }
  const anyToken = Object.keys(tokens).length > 0;
  const allowUnauthenticated = (e.TOKENMETER_ALLOW_UNAUTHENTICATED as boolean | undefined) ?? false;
  // No token: loopback only, unless an operator explicitly opens it.
  const host = (e.TOKENMETER_CONTROL_PLANE_HOST as string | undefined) ?? (anyToken || allowUnauthenticated ? '0.0.0.0' : '127.0.0.1');
  if (!anyToken && !allowUnauthenticated && !isLoopback(host)) {
    problems.push({
      variable: 'TOKENMETER_CONTROL_PLANE_HOST',
      message: `"${host}" is not a loopback address and no TOKENMETER_*_TOKEN is set: set tokens (TOKENMETER_ADMIN_TOKEN, …), listen on 127.0.0.1, or set TOKENMETER_ALLOW_UNAUTHENTICATED=true`,
    });
  }
  const reports = loadReportsConfig(env);
  problems.push(...reports.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host,
    port: e.TOKENMETER_CONTROL_PLANE_PORT as number,
    dbUrl: e.TOKENMETER_DB_URL as string,
    sqliteSynchronous: e.TOKENMETER_SQLITE_SYNCHRONOUS as 'full' | 'normal',
    tokens,
    allowUnauthenticated,
    logLevel: e.TOKENMETER_LOG_LEVEL as LogLevel,
    bodyLimitBytes: e.TOKENMETER_BODY_LIMIT_BYTES as number,
    maxBatchRecords: e.TOKENMETER_MAX_BATCH_RECORDS as number,
    sseCoalesceMillis: e.TOKENMETER_SSE_COALESCE_MS as number,
    sseHeartbeatMillis: e.TOKENMETER_SSE_HEARTBEAT_MS as number,
    resetCheckMillis: e.TOKENMETER_RESET_CHECK_MS as number,
    reports: reports.config,
    metricsMaxSubjects: e.TOKENMETER_METRICS_MAX_SUBJECTS as number,
    metricsForecastMaxSubjects: e.TOKENMETER_METRICS_FORECAST_MAX_SUBJECTS as number,
    blockAtIngest: e.TOKENMETER_BLOCK_AT_INGEST as boolean,
  };
}

/** A config for tests and embedding: defaults plus overrides, no environment. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), dbUrl: ':memory:', ...overrides };
}
