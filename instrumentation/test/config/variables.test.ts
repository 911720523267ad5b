import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/env.js';
import { emitFinished } from '../../src/core/hooks.js';
import { startTokenmeter } from '../../src/sdk.js';
import { finishedCall } from '../telemetry/calls.js';

function problem(env: Record<string, string>): string | undefined {
  return parseConfig(env).problems[0]?.message;
}

describe('parseConfig: each variable', () => {
  it('pins the message of every remaining validated variable', () => {
    expect(problem({ TOKENMETER_USER_CARDINALITY_LIMIT: '-1' })).toBe('TOKENMETER_USER_CARDINALITY_LIMIT must be an integer 0-10000000, got "-1"');
    expect(problem({ TOKENMETER_CONTROL_PLANE_URL: 'http://cp', TOKENMETER_REPORT_INTERVAL_MS: '5' })).toBe('TOKENMETER_REPORT_INTERVAL_MS must be an integer 10-3600000, got "5"');
    expect(problem({ TOKENMETER_CONTROL_PLANE_URL: 'http://cp', TOKENMETER_REPORT_BUFFER_RECORDS: '0' })).toBe('TOKENMETER_REPORT_BUFFER_RECORDS must be an integer 1-10000000, got "0"');
    expect(problem({ TOKENMETER_OPENAI_INCLUDE_USAGE: 'maybe' })).toBe('TOKENMETER_OPENAI_INCLUDE_USAGE must be true or false, got "maybe"');
    expect(problem({ OTEL_TRACES_EXPORTER: 'jaeger' })).toBe('OTEL_TRACES_EXPORTER must be one of otlp, none, got "jaeger"');
    expect(problem({ OTEL_METRIC_EXPORT_INTERVAL: '1s' })).toBe('OTEL_METRIC_EXPORT_INTERVAL must be an integer 100-86400000, got "1s"');
    expect(problem({ OTEL_METRIC_EXPORT_TIMEOUT: '50' })).toBe('OTEL_METRIC_EXPORT_TIMEOUT must be an integer 100-86400000, got "50"');
    expect(problem({ TOKENMETER_ENFORCEMENT_STARTUP_WAIT_MS: '61000' })).toBe('TOKENMETER_ENFORCEMENT_STARTUP_WAIT_MS must be an integer 0-60000, got "61000"');
    expect(problem({ TOKENMETER_SHUTDOWN_FLUSH_MS: '1.5' })).toBe('TOKENMETER_SHUTDOWN_FLUSH_MS must be an integer 0-600000, got "1.5"');
    expect(problem({ TOKENMETER_PROMPT_FINGERPRINT: 'hashed' })).toBe('TOKENMETER_PROMPT_FINGERPRINT must be true or false, got "hashed"');
    expect(problem({ TOKENMETER_FINGERPRINT_KEY: 'short' })).toBe('TOKENMETER_FINGERPRINT_KEY must be at least 16 characters, got 5');
    expect(problem({ OTEL_SDK_DISABLED: 'yes' })).toBe('OTEL_SDK_DISABLED must be true or false, got "yes"');
    // Attribution variables are governance settings: fail-open drops the bad value with an error naming what it costs.
    for (const variable of ['TOKENMETER_DEPARTMENT', 'TOKENMETER_FEATURE', 'TOKENMETER_USER', 'TOKENMETER_INVESTIGATION', 'TOKENMETER_SESSION', 'TOKENMETER_PROJECT']) {
      expect(parseConfig({ [variable]: 'x'.repeat(257) }).config.governance).toEqual([
        {
          variable,
          refuse: false,
          message: `${variable} must be 1-256 characters without control characters, got "${'x'.repeat(40)}"; calls are not attributed to it, so its quotas do not apply to them`,
        },
      ]);
    }
  });

  it('reads the remaining variables and their defaults', () => {
    const { config, problems } = parseConfig({
      TOKENMETER_DISABLED: 'true',
      TOKENMETER_PROMETHEUS_HOST: '127.0.0.1',
      TOKENMETER_PROMETHEUS_PORT: '0',
      TOKENMETER_USER_CARDINALITY_LIMIT: '500',
      TOKENMETER_OPENAI_INCLUDE_USAGE: 'off',
      TOKENMETER_USER: 'svc-user',
      TOKENMETER_INVESTIGATION: 'inc-1',
      TOKENMETER_SESSION: 's-1',
      TOKENMETER_ENFORCEMENT: 'FAIL-CLOSED',
      TOKENMETER_CONTROL_PLANE_URL: 'https://cp.example/api/',
      TOKENMETER_REPORT_BUFFER_RECORDS: '50',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
    });
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      disabled: true,
      prometheus: { host: '127.0.0.1', port: 0 },
      userCardinalityLimit: 500,
      openaiIncludeStreamUsage: false,
      attribution: { user: 'svc-user', investigation: 'inc-1', session: 's-1' },
      enforcement: 'fail-closed',
      controlPlane: { url: 'https://cp.example/api', reportIntervalMillis: 1000, maxBufferedRecords: 50 },
      tracesExporter: 'otlp',
      otlpMetrics: { exportIntervalMillis: 5000, exportTimeoutMillis: 30000 },
    });
    expect(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).config.tracesExporter).toBe('none');
    expect(parseConfig({}).config.otlpMetrics).toEqual({ exportIntervalMillis: 60000, exportTimeoutMillis: 30000 });
  });

  it('lists every problem in one ConfigError when strict, governance first', () => {
    expect(() => parseConfig({ TOKENMETER_PROMETHEUS_PORT: 'abc', TOKENMETER_ENFORCEMENT: 'x' }, { strict: true })).toThrow(
      'invalid tokenmeter configuration:\n  TOKENMETER_ENFORCEMENT must be one of off, fail-open, fail-closed, got "x"; calls are refused until it is fixed (fail-closed cannot be ruled out)\n  TOKENMETER_PROMETHEUS_PORT must be an integer 0-65535, got "abc"',
    );
    expect(() => parseConfig({ TOKENMETER_PROMETHEUS_PORT: 'abc' }, { strict: true })).toThrow(ConfigError);
  });
});

describe('startTokenmeter and bad configuration', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    metrics.disable();
  });

  it('never crashes the service: logs each problem once to stderr and runs with the default', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const handle = startTokenmeter({ env: { TOKENMETER_PROMETHEUS_HOST: '127.0.0.1', TOKENMETER_PROMETHEUS_PORT: '0', TOKENMETER_USER_CARDINALITY_LIMIT: 'lots' } });
    try {
      expect(handle.config.userCardinalityLimit).toBe(10000);
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual(['tokenmeter: TOKENMETER_USER_CARDINALITY_LIMIT must be an integer 0-10000000, got "lots"; using the default\n']);
      // Idempotent: the same handle, nothing logged again.
      expect(startTokenmeter({ env: { TOKENMETER_USER_CARDINALITY_LIMIT: 'lots' } })).toBe(handle);
      expect(stderr).toHaveBeenCalledTimes(1);
    } finally {
      await handle.shutdown();
      await handle.shutdown();
    }
  });

  it('TOKENMETER_DISABLED=true starts nothing: no endpoint, no metrics sink', async () => {
    const handle = startTokenmeter({ env: { TOKENMETER_DISABLED: 'true', TOKENMETER_PROMETHEUS_HOST: '127.0.0.1', TOKENMETER_PROMETHEUS_PORT: '0' } });
    emitFinished(finishedCall(), () => {});
    expect(handle.accumulator).toBeUndefined();
    expect(handle.prometheusPort()).toBeUndefined();
    expect(metrics.getMeterProvider().constructor.name).toMatch(/^Noop/);
    await handle.shutdown();
  });
});
