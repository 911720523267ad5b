/**
 * Configuration from the environment, parsed and validated once at start
 * (every bad variable reported at once, by name), then passed down. Every
 * variable is documented in README.md with its default. Names: collector-only
 * variables start with `TOKENMETER_COLLECTOR_`, durations end in `_MS`;
 * `TOKENMETER_CONTROL_PLANE_URL`, `TOKENMETER_API_TOKEN` and
 * `TOKENMETER_LOG_LEVEL` are shared with the other services.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export type OwnSpans = 'ignore' | 'count' | 'count-and-forward';
export type LogUsage = 'off' | 'uncorrelated' | 'all';

export interface CollectorConfig {
  /** Listen address of both servers. */
  host: string;
  otlpPort: number;
  metricsPort: number;
  controlPlaneUrl: string | undefined;
  /** The collector's own credential towards the control plane (the ingest role). */
  apiToken: string | undefined;
  /** Tokens accepted on the OTLP receiver (`Authorization: Bearer …`); empty = no authentication. */
  otlpTokens: string[];
  /** Token required on `/metrics` and `/debug/vars`; undefined = open. */
  metricsToken: string | undefined;
  bodyLimitBytes: number;
  /** Requests read or processed at once; beyond, 429. */
  queueRequests: number;
  /** Bytes of admitted requests not yet answered (read, decompressed, processed); beyond, 429. */
  queueBytes: number;
  /** Series per metric family before folding into the overflow series. */
  seriesLimit: number;
  /** Extra attribute keys kept as labels on passed-through metrics. */
  labelAllowlist: string[];
  ownSpans: OwnSpans;
  logUsage: LogUsage;
  priceRefreshMs: number;
  directorySyncMs: number;
  directoryTimeoutMs: number;
  directoryMaxUsers: number;
  /** Shortest time between two syncs asked for by calls of users the copy does not hold. */
  directoryResyncMinMs: number;
  ledgerBatchRecords: number;
  ledgerFlushMs: number;
  ledgerBufferRecords: number;
  retryAfterMs: number;
  /** How long shutdown keeps trying to deliver buffered ledger records. */
  shutdownFlushMs: number;
  logLevel: string;
  /** Decisions taken from defaults that the operator should read at start-up (logged as warnings). */
  notices: string[];
}

/** One rejected variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown when the environment is invalid; `problems` lists every bad variable, the message names each. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A decimal integer written plainly: no sign, spaces, hex, exponent or fraction (`0x1F90`, ` 1e3 ` are refused). */
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, `must be a decimal integer from ${min} to ${max} (digits only)`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** Bearer token characters (RFC 6750 `b64token`), so a token compares equal to what a sender puts in the header. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const token = z.string().regex(TOKEN, 'must be a bearer token: letters, digits and -._~+/ (then optional =)');
const tokenList = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t !== ''))
  .pipe(z.array(token).min(1, 'must hold at least one token'));
const bool = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((s) => s === 'true');

const schema = z.object({
  TOKENMETER_COLLECTOR_HOST: z.string().min(1).optional(),
  TOKENMETER_COLLECTOR_OTLP_PORT: int(0, 65535).default(4318),
  TOKENMETER_COLLECTOR_METRICS_PORT: int(0, 65535).default(8889),
  TOKENMETER_CONTROL_PLANE_URL: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  TOKENMETER_API_TOKEN: token.optional(),
  TOKENMETER_COLLECTOR_OTLP_TOKEN: tokenList.optional(),
  TOKENMETER_COLLECTOR_METRICS_TOKEN: token.optional(),
  TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED: bool.default(false),
  TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES: int(1024, 512 * 1024 * 1024).default(4 * 1024 * 1024),
  TOKENMETER_COLLECTOR_QUEUE_REQUESTS: int(1, 100_000).default(64),
  TOKENMETER_COLLECTOR_QUEUE_BYTES: int(1024, 4 * 1024 * 1024 * 1024).default(16 * 1024 * 1024),
  TOKENMETER_COLLECTOR_SERIES_LIMIT: int(1, 10_000_000).default(10_000),
  TOKENMETER_COLLECTOR_LABEL_ALLOWLIST: z.string().default(''),
  TOKENMETER_COLLECTOR_OWN_SPANS: z.enum(['ignore', 'count', 'count-and-forward']).default('ignore'),
  TOKENMETER_COLLECTOR_LOG_USAGE: z.enum(['off', 'uncorrelated', 'all']).default('uncorrelated'),
  TOKENMETER_COLLECTOR_PRICE_REFRESH_MS: int(1_000, 86_400_000).default(60_000),
  TOKENMETER_COLLECTOR_DIRECTORY_SYNC_MS: int(1_000, 86_400_000).default(60_000),
  TOKENMETER_COLLECTOR_DIRECTORY_TIMEOUT_MS: int(1, 60_000).default(500),
  TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS: int(1, 10_000_000).default(200_000),
  TOKENMETER_COLLECTOR_DIRECTORY_RESYNC_MIN_MS: int(1_000, 86_400_000).default(10_000),
  TOKENMETER_COLLECTOR_LEDGER_BATCH_RECORDS: int(1, 5_000).default(1_000),
  TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: int(10, 600_000).default(1_000),
  TOKENMETER_COLLECTOR_LEDGER_BUFFER_RECORDS: int(1, 10_000_000).default(50_000),
  TOKENMETER_COLLECTOR_RETRY_AFTER_MS: int(1_000, 3_600_000).default(1_000),
  TOKENMETER_COLLECTOR_SHUTDOWN_FLUSH_MS: int(0, 600_000).default(5_000),
  TOKENMETER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Variables of earlier versions: still set, they would be ignored silently, so they are refused with their new name. */
const RENAMED: Record<string, string> = {
  TOKENMETER_OTLP_PORT: 'TOKENMETER_COLLECTOR_OTLP_PORT',
  TOKENMETER_METRICS_PORT: 'TOKENMETER_COLLECTOR_METRICS_PORT',
  TOKENMETER_MAX_BODY_BYTES: 'TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES',
  TOKENMETER_QUEUE_LIMIT: 'TOKENMETER_COLLECTOR_QUEUE_REQUESTS',
  TOKENMETER_RETRY_AFTER_SECONDS: 'TOKENMETER_COLLECTOR_RETRY_AFTER_MS',
  TOKENMETER_SERIES_LIMIT: 'TOKENMETER_COLLECTOR_SERIES_LIMIT',
  TOKENMETER_LABEL_ALLOWLIST: 'TOKENMETER_COLLECTOR_LABEL_ALLOWLIST',
  TOKENMETER_OWN_SPANS: 'TOKENMETER_COLLECTOR_OWN_SPANS',
  TOKENMETER_LOG_USAGE: 'TOKENMETER_COLLECTOR_LOG_USAGE',
  TOKENMETER_PRICE_REFRESH_SECONDS: 'TOKENMETER_COLLECTOR_PRICE_REFRESH_MS',
  TOKENMETER_DIRECTORY_TTL_SECONDS: 'TOKENMETER_COLLECTOR_DIRECTORY_SYNC_MS',
  TOKENMETER_DIRECTORY_TIMEOUT_MILLIS: 'TOKENMETER_COLLECTOR_DIRECTORY_TIMEOUT_MS',
  TOKENMETER_LEDGER_BATCH_RECORDS: 'TOKENMETER_COLLECTOR_LEDGER_BATCH_RECORDS',
  TOKENMETER_LEDGER_FLUSH_MILLIS: 'TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS',
  TOKENMETER_LEDGER_BUFFER_RECORDS: 'TOKENMETER_COLLECTOR_LEDGER_BUFFER_RECORDS',
  TOKENMETER_SHUTDOWN_FLUSH_MILLIS: 'TOKENMETER_COLLECTOR_SHUTDOWN_FLUSH_MS',
};

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const problems: ConfigProblem[] = [];
  for (const [old, now] of Object.entries(RENAMED)) {
    if (env[old] !== undefined && env[old] !== '') problems.push({ variable: old, message: `renamed to ${now}${now.endsWith('_MS') ? ' (in milliseconds)' : ''}` });
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push({ variable: i.path.join('.'), message: i.message });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const otlpTokens = e.TOKENMETER_COLLECTOR_OTLP_TOKEN ?? [];
  const notices: string[] = [];
  let host = e.TOKENMETER_COLLECTOR_HOST ?? '0.0.0.0';
  const forwarding = e.TOKENMETER_CONTROL_PLANE_URL !== undefined;

  // Forwarding puts what the OTLP port receives in the ledger under the collector's ingest token:
  // an open port would let anyone spend (and block) another user's quota.
  if (forwarding && otlpTokens.length === 0 && !e.TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED) {
    if (e.TOKENMETER_COLLECTOR_HOST === undefined) {
      host = '127.0.0.1';
      notices.push(
        'no TOKENMETER_COLLECTOR_OTLP_TOKEN while forwarding to the ledger: listening on 127.0.0.1 only; set a token (senders send Authorization: Bearer <token>) to listen on other addresses',
      );
    } else if (!isLoopback(host)) {
      problems.push({
        variable: 'TOKENMETER_COLLECTOR_OTLP_TOKEN',
        message: `required when forwarding to the ledger (TOKENMETER_CONTROL_PLANE_URL is set) and listening on ${host}: set a token, listen on loopback (TOKENMETER_COLLECTOR_HOST=127.0.0.1), or set TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED=true`,
      });
    }
  }
  // One token, one role: a token shared between roles would grant both.
  const roles: Array<[string, string | undefined]> = [
    ['TOKENMETER_COLLECTOR_METRICS_TOKEN', e.TOKENMETER_COLLECTOR_METRICS_TOKEN],
    ['TOKENMETER_API_TOKEN', e.TOKENMETER_API_TOKEN],
  ];
  for (const [variable, value] of roles) {
    if (value !== undefined && otlpTokens.includes(value)) problems.push({ variable, message: 'must differ from every TOKENMETER_COLLECTOR_OTLP_TOKEN (one token per role)' });
  }
  if (e.TOKENMETER_API_TOKEN !== undefined && e.TOKENMETER_API_TOKEN === e.TOKENMETER_COLLECTOR_METRICS_TOKEN) {
    problems.push({ variable: 'TOKENMETER_COLLECTOR_METRICS_TOKEN', message: 'must differ from TOKENMETER_API_TOKEN (one token per role)' });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    host,
    otlpPort: e.TOKENMETER_COLLECTOR_OTLP_PORT,
    metricsPort: e.TOKENMETER_COLLECTOR_METRICS_PORT,
    controlPlaneUrl: e.TOKENMETER_CONTROL_PLANE_URL?.replace(/\/+$/, ''),
    apiToken: e.TOKENMETER_API_TOKEN,
    otlpTokens,
    metricsToken: e.TOKENMETER_COLLECTOR_METRICS_TOKEN,
    bodyLimitBytes: e.TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES,
    queueRequests: e.TOKENMETER_COLLECTOR_QUEUE_REQUESTS,
    queueBytes: e.TOKENMETER_COLLECTOR_QUEUE_BYTES,
    seriesLimit: e.TOKENMETER_COLLECTOR_SERIES_LIMIT,
    labelAllowlist: e.TOKENMETER_COLLECTOR_LABEL_ALLOWLIST.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    ownSpans: e.TOKENMETER_COLLECTOR_OWN_SPANS,
    logUsage: e.TOKENMETER_COLLECTOR_LOG_USAGE,
    priceRefreshMs: e.TOKENMETER_COLLECTOR_PRICE_REFRESH_MS,
    directorySyncMs: e.TOKENMETER_COLLECTOR_DIRECTORY_SYNC_MS,
    directoryTimeoutMs: e.TOKENMETER_COLLECTOR_DIRECTORY_TIMEOUT_MS,
    directoryMaxUsers: e.TOKENMETER_COLLECTOR_DIRECTORY_MAX_USERS,
    directoryResyncMinMs: e.TOKENMETER_COLLECTOR_DIRECTORY_RESYNC_MIN_MS,
    ledgerBatchRecords: e.TOKENMETER_COLLECTOR_LEDGER_BATCH_RECORDS,
    ledgerFlushMs: e.TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS,
    ledgerBufferRecords: e.TOKENMETER_COLLECTOR_LEDGER_BUFFER_RECORDS,
    retryAfterMs: e.TOKENMETER_COLLECTOR_RETRY_AFTER_MS,
    shutdownFlushMs: e.TOKENMETER_COLLECTOR_SHUTDOWN_FLUSH_MS,
    logLevel: e.TOKENMETER_LOG_LEVEL,
    notices,
  };
}
