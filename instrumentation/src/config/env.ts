/**
 * Every environment variable the SDK reads, parsed and validated once at
 * start-up. A bad value is reported with the variable, what it got and what
 * it accepts; the SDK then uses that variable's default, so a typo in a
 * deployment never takes the service down (`parseConfig(env, { strict: true })`
 * throws instead, for programmatic use and tests). The exception is a
 * governance setting: a mistake there must never weaken governance silently,
 * so it is an error, and it refuses calls where fail-closed was meant or
 * cannot be ruled out (`config.governance`). Standard OpenTelemetry names win
 * over our older ones.
 */
import type { Attribution } from '../protocol.js';
import type { EnforcementMode } from './types.js';

export type MetricsExporterName = 'prometheus' | 'otlp' | 'none';
export type TracesExporterName = 'otlp' | 'none';

/** The SDK's whole configuration. */
export interface TokenmeterConfig {
  /** `OTEL_SDK_DISABLED=true` (older name `TOKENMETER_DISABLED`): no patches, no telemetry. */
  disabled: boolean;
  /** `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** `OTEL_METRICS_EXPORTER` (comma list): `prometheus` (default), `otlp`, `none`. */
  metricsExporters: MetricsExporterName[];
  /** `OTEL_TRACES_EXPORTER`: `otlp` or `none`; default `otlp` when an OTLP endpoint is set, else `none`. */
  tracesExporter: TracesExporterName;
  /** `OTEL_METRIC_EXPORT_INTERVAL` (60000) and `OTEL_METRIC_EXPORT_TIMEOUT` (30000): the OTLP metrics push, in ms. */
  otlpMetrics: { exportIntervalMillis: number; exportTimeoutMillis: number };
  /** `OTEL_EXPORTER_PROMETHEUS_HOST` (0.0.0.0) and `OTEL_EXPORTER_PROMETHEUS_PORT` (9464); older names `TOKENMETER_PROMETHEUS_HOST`/`_PORT`. */
  prometheus: { host: string; port: number };
  /** `OTEL_SEMCONV_STABILITY_OPT_IN`: which GenAI metric names to emit. */
  semconv: { stable: boolean; latestExperimental: boolean };
  /** `TOKENMETER_USER_CARDINALITY_LIMIT` (10000): distinct `user_id` values on metrics. */
  userCardinalityLimit: number;
  /** `TOKENMETER_OPENAI_INCLUDE_USAGE` (true): inject `stream_options.include_usage`. */
  openaiIncludeStreamUsage: boolean;
  /** Process-wide attribution: `TOKENMETER_ORG`, `_DEPARTMENT`, `_FEATURE`, `_USER`, `_INVESTIGATION`, `_SESSION`, `_PROJECT`. */
  attribution: Attribution;
  /** `TOKENMETER_ENFORCEMENT` (`fail-open`). */
  enforcement: EnforcementMode;
  /** `TOKENMETER_ENFORCEMENT_STARTUP_WAIT_MS` (3000): how long fail-closed waits for the first enforcement state before refusing. */
  enforcementStartupWaitMillis: number;
  /** `TOKENMETER_SHUTDOWN_FLUSH_MS` (5000): how long SIGTERM/SIGINT wait for buffered usage to be delivered. */
  shutdownFlushMillis: number;
  /** `TOKENMETER_PROMPT_FINGERPRINT` (on) and `TOKENMETER_FINGERPRINT_KEY` (else derived from `TOKENMETER_API_TOKEN`, else random per process). */
  promptFingerprint: { enabled: boolean; key?: string };
  /**
   * Governance settings (enforcement mode, control plane, token, attribution)
   * whose value is invalid. Each is logged at error level and counted; one
   * with `refuse` makes every call fail with a `GovernanceConfigError`, since
   * fail-closed was meant or cannot be ruled out.
   */
  governance: GovernanceProblem[];
  /** `TOKENMETER_API_TOKEN` when valid (the fingerprint key is derived from it unless `TOKENMETER_FINGERPRINT_KEY` is set). */
  apiToken?: string;
  /** Present when `TOKENMETER_CONTROL_PLANE_URL` is set and valid. */
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

/** One rejected variable: its default is used. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** An invalid governance setting. */
export interface GovernanceProblem extends ConfigProblem {
  /** Refuse every call until it is fixed (fail-closed was meant or cannot be ruled out). */
  refuse: boolean;
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

const ENFORCEMENT_MODES = ['off', 'fail-open', 'fail-closed'] as const;

/**
 * Parses the environment. Bad values fall back to defaults and are listed in
 * `problems`; an invalid governance setting is in `config.governance`
 * instead (see there); `warnings` name variables given twice (a standard
 * name and our older one: the standard wins).
 */
export function parseConfig(
  env: Env = process.env,
  options: { strict?: boolean } = {},
): { config: TokenmeterConfig; problems: ConfigProblem[]; warnings: string[] } {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const read = new Reader(env, problems, warnings);
  const governance: GovernanceProblem[] = [];

  const { mode: enforcement, problem: enforcementProblem } = parseEnforcement(read.string('TOKENMETER_ENFORCEMENT'));
  if (enforcementProblem !== undefined) governance.push(enforcementProblem);
  // Fail-closed was meant, or a garbled mode cannot rule it out: a broken governance setting then refuses calls.
  const closed = enforcement === 'fail-closed' || enforcementProblem?.refuse === true;
  const consequence = closed
    ? 'calls are refused until it is fixed (TOKENMETER_ENFORCEMENT is fail-closed or unreadable)'
    : 'no usage is reported and no quota is enforced until it is fixed';

  const attribution: Attribution = {};
  for (const [key, variable] of ATTRIBUTION_VARIABLES) {
    const value = read.string(variable);
    if (value === undefined) continue;
    if (LABEL_VALUE.test(value)) attribution[key] = value;
    else {
      const attributionConsequence = closed ? consequence : 'calls are not attributed to it, so its quotas do not apply to them';
      governance.push({
        variable,
        refuse: closed,
        message: `${variable} must be 1-256 characters without control characters, got ${JSON.stringify(value.slice(0, 40))}; ${attributionConsequence}`,
      });
    }
  }

  const otlpEndpointSet = [env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT].some((v) => v !== undefined && v.trim() !== '');
  const rawUrl = read.string('TOKENMETER_CONTROL_PLANE_URL');
  const controlUrl = rawUrl === undefined ? undefined : httpUrl(rawUrl);
  if (rawUrl !== undefined && controlUrl === undefined) {
    governance.push({ variable: 'TOKENMETER_CONTROL_PLANE_URL', refuse: closed, message: `TOKENMETER_CONTROL_PLANE_URL must be an http(s) URL, got "${rawUrl}"; ${consequence}` });
  } else if (rawUrl === undefined && enforcement === 'fail-closed' && enforcementProblem === undefined) {
    governance.push({
      variable: 'TOKENMETER_CONTROL_PLANE_URL',
      refuse: true,
      message: 'TOKENMETER_ENFORCEMENT=fail-closed needs TOKENMETER_CONTROL_PLANE_URL; calls are refused until it is set',
    });
  }
  const token = read.string('TOKENMETER_API_TOKEN');
  if (token !== undefined && !BEARER_TOKEN.test(token)) {
    // Never echo a secret: say what is wrong with it, not what it is.
    governance.push({
      variable: 'TOKENMETER_API_TOKEN',
      refuse: closed,
      message: `TOKENMETER_API_TOKEN must be visible ASCII without spaces (it is sent as a bearer token), got ${token.length} characters that are not; ${consequence}`,
    });
  }

  const fingerprintKey = read.string('TOKENMETER_FINGERPRINT_KEY');
  if (fingerprintKey !== undefined && fingerprintKey.length < 16) {
    problems.push({ variable: 'TOKENMETER_FINGERPRINT_KEY', message: `TOKENMETER_FINGERPRINT_KEY must be at least 16 characters, got ${fingerprintKey.length}` });
  }

  const config: TokenmeterConfig = {
    disabled: read.standardBoolean('OTEL_SDK_DISABLED', 'TOKENMETER_DISABLED'),
    metricsExporters: read.list('OTEL_METRICS_EXPORTER', ['prometheus', 'otlp', 'none'] as const, ['prometheus']),
    tracesExporter: read.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, otlpEndpointSet ? 'otlp' : 'none'),
    prometheus: {
      host: read.string(read.standard('OTEL_EXPORTER_PROMETHEUS_HOST', 'TOKENMETER_PROMETHEUS_HOST')) ?? '0.0.0.0',
      port: read.integer(read.standard('OTEL_EXPORTER_PROMETHEUS_PORT', 'TOKENMETER_PROMETHEUS_PORT'), 9464, 0, 65535),
    },
    otlpMetrics: {
      exportIntervalMillis: read.integer('OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 86_400_000),
      exportTimeoutMillis: read.integer('OTEL_METRIC_EXPORT_TIMEOUT', 30_000, 100, 86_400_000),
    },
    semconv: parseSemconvOptIn(env.OTEL_SEMCONV_STABILITY_OPT_IN),
    userCardinalityLimit: read.integer('TOKENMETER_USER_CARDINALITY_LIMIT', 10_000, 0, 10_000_000),
    openaiIncludeStreamUsage: read.boolean('TOKENMETER_OPENAI_INCLUDE_USAGE', true),
    attribution,
    enforcement,
    enforcementStartupWaitMillis: read.integer('TOKENMETER_ENFORCEMENT_STARTUP_WAIT_MS', 3000, 0, 60_000),
    shutdownFlushMillis: read.integer('TOKENMETER_SHUTDOWN_FLUSH_MS', 5000, 0, 600_000),
    promptFingerprint: { enabled: read.boolean('TOKENMETER_PROMPT_FINGERPRINT', true) },
    governance,
  };
  if (fingerprintKey !== undefined && fingerprintKey.length >= 16) config.promptFingerprint.key = fingerprintKey;
  if (token !== undefined && BEARER_TOKEN.test(token)) config.apiToken = token;
  const serviceName = read.string('OTEL_SERVICE_NAME');
  if (serviceName !== undefined) config.serviceName = serviceName;
  if (controlUrl !== undefined) {
    config.controlPlane = {
      url: controlUrl,
      reportIntervalMillis: read.integer('TOKENMETER_REPORT_INTERVAL_MS', 1000, 10, 3_600_000),
      maxBufferedRecords: read.integer('TOKENMETER_REPORT_BUFFER_RECORDS', 10_000, 1, 10_000_000),
    };
    if (token !== undefined && BEARER_TOKEN.test(token)) config.controlPlane.token = token;
  }
  if (options.strict === true && problems.length + governance.length > 0) throw new ConfigError([...governance, ...problems]);
  return { config, problems, warnings };
}

/**
 * `TOKENMETER_ENFORCEMENT`: one of the modes (any case). Anything else is a
 * governance problem: a misspelt `fail-open` or `off` (`fail_open`, `Fail
 * Open`) runs as that mode, reported; any other value (`fail_closed`,
 * `closed`, `strict`, a typo) cannot rule fail-closed out and refuses calls.
 */
function parseEnforcement(raw: string | undefined): { mode: EnforcementMode; problem?: GovernanceProblem } {
  if (raw === undefined) return { mode: 'fail-open' };
  const lower = raw.toLowerCase();
  if ((ENFORCEMENT_MODES as readonly string[]).includes(lower)) return { mode: lower as EnforcementMode };
  const normalized = lower.replace(/[\s_]+/g, '-');
  const got = `TOKENMETER_ENFORCEMENT must be one of ${ENFORCEMENT_MODES.join(', ')}, got "${raw}"`;
  if (normalized === 'fail-open' || normalized === 'off') {
    return { mode: normalized, problem: { variable: 'TOKENMETER_ENFORCEMENT', refuse: false, message: `${got}; running as ${normalized}` } };
  }
  return {
    mode: 'fail-closed',
    problem: { variable: 'TOKENMETER_ENFORCEMENT', refuse: true, message: `${got}; calls are refused until it is fixed (fail-closed cannot be ruled out)` },
  };
}

/** What a bearer token may hold on the wire (RFC 6750 b64token, plus the other visible ASCII characters tokens use). */
const BEARER_TOKEN = /^[\x21-\x7e]+$/;

/** The URL without trailing slashes, or undefined when it is not an absolute http(s) URL. */
function httpUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return value.replace(/\/+$/, '');
  } catch {
    // not a URL
  }
  return undefined;
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
    private readonly _warnings: string[],
  ) {}

  string(variable: string): string | undefined {
    const value = this._env[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** Which of a standard variable and our older name to read: the standard one when set (with a warning when both are). */
  standard(standard: string, older: string): string {
    const hasStandard = this.string(standard) !== undefined;
    const hasOlder = this.string(older) !== undefined;
    if (hasStandard && hasOlder) this._warnings.push(`${standard} and ${older} are both set; using ${standard} (${older} is the older name)`);
    return hasStandard || !hasOlder ? standard : older;
  }

  /** The OTel spec's boolean (`OTEL_SDK_DISABLED`): only `true` is true; other values than `false` are reported. */
  standardBoolean(standard: string, older: string): boolean {
    const variable = this.standard(standard, older);
    if (variable === older) return this.boolean(older, false);
    const value = this.string(standard)?.toLowerCase();
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    this._fail(standard, `${standard} must be true or false, got "${value}"`);
    return false;
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

  private _fail(variable: string, message: string): void {
    this._problems.push({ variable, message });
  }
}
