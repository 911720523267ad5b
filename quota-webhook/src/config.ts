/**
 * Configuration from the environment, parsed and validated once at start-up
 * (fail fast with a message naming the variable), then passed down.
 */
import { loadReportsConfig, ReportsConfigError, type ReportsConfig } from './reports/config.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  /** `postgres://…` selects Postgres; anything else is a SQLite file path (`file:` prefix optional, `:memory:` allowed). */
  dbUrl: string;
  /** SQLite `synchronous`: `full` (fsync on every commit: survives power loss) or `normal` (WAL: survives a process crash). */
  sqliteSynchronous: 'full' | 'normal';
  tokens: { admin?: string; read?: string; ingest?: string; alertmanager?: string };
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
  /**
   * Test-only (`TOKENMETER_CLOCK_OFFSET_MS`, default 0): added to the service's
   * clock, so an end-to-end test can restart it in the next period. Never set
   * it in production: periods, resets and audit times follow the shifted clock.
   */
  clockOffsetMillis: number;
  /** Reports and report schedules (`TOKENMETER_REPORT_*`, `TOKENMETER_SMTP_*`). */
  reports: ReportsConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const YEAR_MILLIS = 366 * 24 * 3600 * 1000;

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}="${raw}" must be an integer from ${min} to ${max}`);
  return n;
}

function token(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function reportsConfig(env: NodeJS.ProcessEnv): ReportsConfig {
  try {
    return loadReportsConfig(env);
  } catch (error) {
    throw error instanceof ReportsConfigError ? new ConfigError(error.message) : error;
  }
}

/** Parses `env` (default `process.env`); throws a `ConfigError` naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = (env.TOKENMETER_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`TOKENMETER_LOG_LEVEL="${logLevel}" must be one of ${LEVELS.join(', ')}`);
  const sync = (env.TOKENMETER_SQLITE_SYNCHRONOUS ?? 'full').toLowerCase();
  if (sync !== 'full' && sync !== 'normal') throw new ConfigError(`TOKENMETER_SQLITE_SYNCHRONOUS="${sync}" must be full or normal`);
  const dbUrl = env.TOKENMETER_DB_URL && env.TOKENMETER_DB_URL !== '' ? env.TOKENMETER_DB_URL : 'file:./tokenmeter.db';
  if (/^postgres(ql)?:/i.test(dbUrl)) {
    try {
      new URL(dbUrl);
    } catch {
      throw new ConfigError(`TOKENMETER_DB_URL is not a valid postgres:// URL`);
    }
  }
  return {
    host: env.TOKENMETER_HOST && env.TOKENMETER_HOST !== '' ? env.TOKENMETER_HOST : '0.0.0.0',
    port: int(env, 'TOKENMETER_PORT', 9470, 0, 65535),
    dbUrl,
    sqliteSynchronous: sync,
    tokens: {
      admin: token(env, 'TOKENMETER_ADMIN_TOKEN'),
      read: token(env, 'TOKENMETER_READ_TOKEN'),
      ingest: token(env, 'TOKENMETER_INGEST_TOKEN'),
      alertmanager: token(env, 'TOKENMETER_ALERTMANAGER_TOKEN'),
    },
    logLevel,
    bodyLimitBytes: int(env, 'TOKENMETER_BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxBatchRecords: int(env, 'TOKENMETER_MAX_BATCH_RECORDS', 5000, 1, 1_000_000),
    sseCoalesceMillis: int(env, 'TOKENMETER_SSE_COALESCE_MS', 250, 0, 60_000),
    sseHeartbeatMillis: int(env, 'TOKENMETER_SSE_HEARTBEAT_MS', 15_000, 100, 3_600_000),
    resetCheckMillis: int(env, 'TOKENMETER_RESET_CHECK_MS', 1000, 50, 3_600_000),
    clockOffsetMillis: int(env, 'TOKENMETER_CLOCK_OFFSET_MS', 0, -YEAR_MILLIS, YEAR_MILLIS),
    reports: reportsConfig(env),
  };
}

/** A config for tests and embedding: defaults plus overrides, no environment. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), dbUrl: ':memory:', ...overrides };
}
