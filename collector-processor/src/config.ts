/**
 * Configuration from the environment, parsed and validated once at start
 * (fail fast with the variable's name), then passed down. Every variable is
 * documented in README.md with its default.
 */
import { z } from 'zod';

export type OwnSpans = 'ignore' | 'count' | 'count-and-forward';
export type LogUsage = 'off' | 'uncorrelated' | 'all';

export interface CollectorConfig {
  host: string;
  otlpPort: number;
  metricsPort: number;
  controlPlaneUrl: string | undefined;
  apiToken: string | undefined;
  maxBodyBytes: number;
  /** Requests read or processed at once; beyond, 429. */
  queueLimit: number;
  /** Series per metric family before folding into the overflow series. */
  seriesLimit: number;
  /** Extra attribute keys kept as labels on passed-through metrics. */
  labelAllowlist: string[];
  ownSpans: OwnSpans;
  logUsage: LogUsage;
  priceRefreshSeconds: number;
  directoryTtlSeconds: number;
  directoryTimeoutMillis: number;
  ledgerBatchRecords: number;
  ledgerFlushMillis: number;
  ledgerBufferRecords: number;
  retryAfterSeconds: number;
  /** How long shutdown keeps trying to deliver buffered ledger records. */
  shutdownFlushMillis: number;
  logLevel: string;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  TOKENMETER_COLLECTOR_HOST: z.string().min(1).default('0.0.0.0'),
  TOKENMETER_OTLP_PORT: int(0, 65535).default(4318),
  TOKENMETER_METRICS_PORT: int(0, 65535).default(8889),
  TOKENMETER_CONTROL_PLANE_URL: z.url({ protocol: /^https?$/ }).optional(),
  TOKENMETER_API_TOKEN: z.string().min(1).optional(),
  TOKENMETER_MAX_BODY_BYTES: int(1024, 512 * 1024 * 1024).default(4 * 1024 * 1024),
  TOKENMETER_QUEUE_LIMIT: int(1, 100_000).default(64),
  TOKENMETER_SERIES_LIMIT: int(1, 10_000_000).default(10_000),
  TOKENMETER_LABEL_ALLOWLIST: z.string().default(''),
  TOKENMETER_OWN_SPANS: z.enum(['ignore', 'count', 'count-and-forward']).default('ignore'),
  TOKENMETER_LOG_USAGE: z.enum(['off', 'uncorrelated', 'all']).default('uncorrelated'),
  TOKENMETER_PRICE_REFRESH_SECONDS: int(1, 86_400).default(60),
  TOKENMETER_DIRECTORY_TTL_SECONDS: int(1, 86_400).default(300),
  TOKENMETER_DIRECTORY_TIMEOUT_MILLIS: int(1, 60_000).default(500),
  TOKENMETER_LEDGER_BATCH_RECORDS: int(1, 5_000).default(1_000),
  TOKENMETER_LEDGER_FLUSH_MILLIS: int(10, 600_000).default(1_000),
  TOKENMETER_LEDGER_BUFFER_RECORDS: int(1, 10_000_000).default(50_000),
  TOKENMETER_RETRY_AFTER_SECONDS: int(1, 3_600).default(1),
  TOKENMETER_SHUTDOWN_FLUSH_MILLIS: int(0, 600_000).default(5_000),
  TOKENMETER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Thrown when the environment is invalid; the message names each variable and what is wrong. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  return {
    host: e.TOKENMETER_COLLECTOR_HOST,
    otlpPort: e.TOKENMETER_OTLP_PORT,
    metricsPort: e.TOKENMETER_METRICS_PORT,
    controlPlaneUrl: e.TOKENMETER_CONTROL_PLANE_URL?.replace(/\/+$/, ''),
    apiToken: e.TOKENMETER_API_TOKEN,
    maxBodyBytes: e.TOKENMETER_MAX_BODY_BYTES,
    queueLimit: e.TOKENMETER_QUEUE_LIMIT,
    seriesLimit: e.TOKENMETER_SERIES_LIMIT,
    labelAllowlist: e.TOKENMETER_LABEL_ALLOWLIST.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    ownSpans: e.TOKENMETER_OWN_SPANS,
    logUsage: e.TOKENMETER_LOG_USAGE,
    priceRefreshSeconds: e.TOKENMETER_PRICE_REFRESH_SECONDS,
    directoryTtlSeconds: e.TOKENMETER_DIRECTORY_TTL_SECONDS,
    directoryTimeoutMillis: e.TOKENMETER_DIRECTORY_TIMEOUT_MILLIS,
    ledgerBatchRecords: e.TOKENMETER_LEDGER_BATCH_RECORDS,
    ledgerFlushMillis: e.TOKENMETER_LEDGER_FLUSH_MILLIS,
    ledgerBufferRecords: e.TOKENMETER_LEDGER_BUFFER_RECORDS,
    retryAfterSeconds: e.TOKENMETER_RETRY_AFTER_SECONDS,
    shutdownFlushMillis: e.TOKENMETER_SHUTDOWN_FLUSH_MILLIS,
    logLevel: e.TOKENMETER_LOG_LEVEL,
  };
}
