/**
 * Every environment variable the SDK reads, parsed and validated once at
 * start-up. A bad value is reported with the variable, what it got and what
 * it accepts; the SDK then uses that variable's default, so a typo in a
 * deployment never takes the service down (`parseConfig(env, { strict: true })`
 * throws instead, for programmatic use and tests).
 */
import type { Attribution } from '../protocol.js';
import type { EnforcementMode } from './types.js';

export type MetricsExporterName = 'prometheus' | 'otlp' | 'none';
export type TracesExporterName = 'otlp' | 'none';
/** OTLP/HTTP encodings (gRPC is not offered). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The SDK's whole configuration. */
export interface TokenmeterConfig {
  /** `TOKENMETER_DISABLED=true`: no patches, no telemetry. */
  disabled: boolean;
  /** `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** `OTEL_METRICS_EXPORTER` (comma list): `prometheus` (default), `otlp`, `none`. */
  metricsExporters: MetricsExporterName[];
  /** `OTEL_TRACES_EXPORTER`: `otlp` or `none`; default `otlp` when an OTLP endpoint is set, else `none`. */
  tracesExporter: TracesExporterName;
  /** `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (default, as the OTLP specification says) or `http/json`. */
  otlpTracesProtocol: OtlpProtocol;
  /** `OTEL_METRIC_EXPORT_INTERVAL` (60000) and `OTEL_METRIC_EXPORT_TIMEOUT` (30000): the OTLP metrics push, in ms. */
  otlpMetrics: { exportIntervalMillis: number; exportTimeoutMillis: number };
  /** `TOKENMETER_PROMETHEUS_HOST` (0.0.0.0) and `TOKENMETER_PROMETHEUS_PORT` (9464). */
  prometheus: { host: string; port: number };
  /** `OTEL_SEMCONV_STABILITY_OPT_IN`: which GenAI metric names to emit. */
  semconv: { stable: boolean; latestExperimental: boolean };
  /** `TOKENMETER_USER_CARDINALITY_LIMIT` (10000): distinct `user_id` values on metrics. */
  userCardinalityLimit: number;
  /** `TOKENMETER_OPENAI_INCLUDE_USAGE` (true): inject `stream_options.include_usage`. */
  openaiIncludeStreamUsage: boolean;
  /** Process-wide attribution: `TOKENMETER_ORG`, `_DEPARTMENT`, `_FEATURE`, `_USER`, `_INVESTIGATION`, `_SESSION`. */
  attribution: Attribution;
  /** `TOKENMETER_ENFORCEMENT` (`fail-open`). */
  enforcement: EnforcementMode;
  /** Present when `TOKENMETER_CONTROL_PLANE_URL` is set. */
  controlPlane?: {
    url: string;
    /** `TOKENMETER_API_TOKEN`. */
    token?: string;
    /** `TOKENMETER_REPORT_INTERVAL_MS` (1000). */
    reportIntervalMillis: number;
    /** `TOKENMETER_REPORT_BUFFER_RECORDS` (10000). */
    maxBufferedRecords: number;
  };
}

/** One rejected variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid tokenmeter configuration:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Parses the environment; bad values fall back to defaults and are listed in `problems`. */
export function parseConfig(env: Env = process.env, options: { strict?: boolean } = {}): { config: TokenmeterConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const read = new Reader(env, problems);

  const attribution: Attribution = {};
  for (const [key, variable] of ATTRIBUTION_VARIABLES) {
    const value = read.label(variable);
    if (value !== undefined) attribution[key] = value;
  }
  const otlpEndpointSet = [env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT].some((v) => v !== undefined && v.trim() !== '');
  const tracesProtocolVariable = read.string('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const controlUrl = read.url('TOKENMETER_CONTROL_PLANE_URL');
  const token = read.string('TOKENMETER_API_TOKEN');
  const config: TokenmeterConfig = {
    disabled: read.boolean('TOKENMETER_DISABLED', false),
    metricsExporters: read.list('OTEL_METRICS_EXPORTER', ['prometheus', 'otlp', 'none'] as const, ['prometheus']),
    tracesExporter: read.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, otlpEndpointSet ? 'otlp' : 'none'),
    otlpTracesProtocol: read.oneOf(tracesProtocolVariable, ['http/protobuf', 'http/json'] as const, 'http/protobuf'),
    prometheus: {
      host: read.string('TOKENMETER_PROMETHEUS_HOST') ?? '0.0.0.0',
      port: read.integer('TOKENMETER_PROMETHEUS_PORT', 9464, 0, 65535),
    },
    otlpMetrics: {
      exportIntervalMillis: read.integer('OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 86_400_000),
      exportTimeoutMillis: read.integer('OTEL_METRIC_EXPORT_TIMEOUT', 30_000, 100, 86_400_000),
    },
    semconv: parseSemconvOptIn(env.OTEL_SEMCONV_STABILITY_OPT_IN),
    userCardinalityLimit: read.integer('TOKENMETER_USER_CARDINALITY_LIMIT', 10_000, 0, 10_000_000),
    openaiIncludeStreamUsage: read.boolean('TOKENMETER_OPENAI_INCLUDE_USAGE', true),
    attribution,
    enforcement: read.oneOf('TOKENMETER_ENFORCEMENT', ['off', 'fail-open', 'fail-closed'] as const, 'fail-open'),
  };
  const serviceName = read.string('OTEL_SERVICE_NAME');
  if (serviceName !== undefined) config.serviceName = serviceName;
  if (controlUrl !== undefined) {
    config.controlPlane = {
      url: controlUrl,
      reportIntervalMillis: read.integer('TOKENMETER_REPORT_INTERVAL_MS', 1000, 10, 3_600_000),
      maxBufferedRecords: read.integer('TOKENMETER_REPORT_BUFFER_RECORDS', 10_000, 1, 10_000_000),
    };
    if (token !== undefined) config.controlPlane.token = token;
  }
  if (options.strict === true && problems.length > 0) throw new ConfigError(problems);
  return { config, problems };
}

const ATTRIBUTION_VARIABLES: ReadonlyArray<[keyof Attribution, string]> = [
  ['org', 'TOKENMETER_ORG'],
  ['department', 'TOKENMETER_DEPARTMENT'],
  ['feature', 'TOKENMETER_FEATURE'],
  ['user', 'TOKENMETER_USER'],
  ['investigation', 'TOKENMETER_INVESTIGATION'],
  ['session', 'TOKENMETER_SESSION'],
  ['project', 'TOKENMETER_PROJECT'],
];

/** `gen_ai_latest_experimental` → newer names only; `…/dup` → both; otherwise the stable (v1.41) names. */
function parseSemconvOptIn(value: string | undefined): TokenmeterConfig['semconv'] {
  const entries = (value ?? '').split(',').map((s) => s.trim());
  if (entries.includes('gen_ai_latest_experimental/dup')) return { stable: true, latestExperimental: true };
  if (entries.includes('gen_ai_latest_experimental')) return { stable: false, latestExperimental: true };
  return { stable: true, latestExperimental: false };
}

/** Attribution values: what a label value may hold (no control characters, bounded length). */
export const LABEL_VALUE = /^[^\p{Cc}]{1,256}$/u;

class Reader {
  constructor(
    private readonly _env: Env,
    private readonly _problems: ConfigProblem[],
  ) {}

  string(variable: string): string | undefined {
    const value = this._env[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  label(variable: string): string | undefined {
    const value = this.string(variable);
    if (value === undefined || LABEL_VALUE.test(value)) return value;
    this._fail(variable, `${variable} must be 1-256 characters without control characters, got ${JSON.stringify(value.slice(0, 40))}`);
    return undefined;
  }

  boolean(variable: string, fallback: boolean): boolean {
    const value = this.string(variable)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1' || value === 'on') return true;
    if (value === 'false' || value === '0' || value === 'off') return false;
    this._fail(variable, `${variable} must be true or false, got "${value}"`);
    return fallback;
  }

  integer(variable: string, fallback: number, min: number, max: number): number {
    const value = this.string(variable);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (/^\d+$/.test(value) && n >= min && n <= max) return n;
    this._fail(variable, `${variable} must be an integer ${min}-${max}, got "${value}"`);
    return fallback;
  }

  oneOf<T extends string>(variable: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(variable)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this._fail(variable, `${variable} must be one of ${allowed.join(', ')}, got "${value}"`);
    return fallback;
  }

  list<T extends string>(variable: string, allowed: readonly T[], fallback: T[]): T[] {
    const value = this.string(variable);
    if (value === undefined) return fallback;
    const items = value.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
    if (bad.length > 0 || items.length === 0) {
      this._fail(variable, `${variable} must be a comma list of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    const unique = [...new Set(items)] as T[];
    return unique.includes('none' as T) ? [] : unique;
  }

  url(variable: string): string | undefined {
    const value = this.string(variable);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    this._fail(variable, `${variable} must be an http(s) URL, got "${value}"`);
    return undefined;
  }

  private _fail(variable: string, message: string): void {
    this._problems.push({ variable, message });
  }
}
