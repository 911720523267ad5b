import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/env.js';

describe('parseConfig', () => {
  it('has documented defaults', () => {
    const { config, problems } = parseConfig({});
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      disabled: false,
      metricsExporters: ['prometheus'],
      tracesExporter: 'none',
      prometheus: { host: '0.0.0.0', port: 9464 },
      semconv: { stable: true, latestExperimental: false },
      userCardinalityLimit: 10000,
      openaiIncludeStreamUsage: true,
      enforcement: 'fail-open',
      attribution: {},
    });
    expect(config.controlPlane).toBeUndefined();
  });

  it('reads attribution, the control plane and OTel variables', () => {
    const { config } = parseConfig({
      TOKENMETER_ORG: 'acme', TOKENMETER_DEPARTMENT: 'search', TOKENMETER_FEATURE: 'answers',
      TOKENMETER_CONTROL_PLANE_URL: 'http://127.0.0.1:9470/', TOKENMETER_API_TOKEN: 't', TOKENMETER_REPORT_INTERVAL_MS: '250',
      OTEL_METRICS_EXPORTER: 'prometheus,otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'svc',
      OTEL_SEMCONV_STABILITY_OPT_IN: 'http,gen_ai_latest_experimental/dup',
    });
    expect(config.attribution).toEqual({ org: 'acme', department: 'search', feature: 'answers' });
    expect(config.controlPlane).toEqual({ url: 'http://127.0.0.1:9470', token: 't', reportIntervalMillis: 250, maxBufferedRecords: 10000 });
    expect(config.metricsExporters).toEqual(['prometheus', 'otlp']);
    expect(config.tracesExporter).toBe('otlp');
    expect(config.serviceName).toBe('svc');
    expect(config.semconv).toEqual({ stable: true, latestExperimental: true });
    expect(parseConfig({ OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental' }).config.semconv).toEqual({ stable: false, latestExperimental: true });
    expect(parseConfig({ OTEL_METRICS_EXPORTER: 'none' }).config.metricsExporters).toEqual([]);
  });

  it('names each bad variable, what it got and what it accepts, and keeps the default', () => {
    const { config, problems, governance } = { ...parseConfig({
      TOKENMETER_PROMETHEUS_PORT: 'abc', TOKENMETER_DISABLED: 'yes please',
      OTEL_METRICS_EXPORTER: 'prometheus,statsd',
    }), governance: undefined };
    expect(governance).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([
      'TOKENMETER_DISABLED must be true or false, got "yes please"',
      'OTEL_METRICS_EXPORTER must be a comma list of prometheus, otlp, none, got "prometheus,statsd"',
      'TOKENMETER_PROMETHEUS_PORT must be an integer 0-65535, got "abc"',
    ]);
    expect(config.prometheus.port).toBe(9464);
    expect(config.governance).toEqual([]);
    expect(() => parseConfig({ TOKENMETER_PROMETHEUS_PORT: '70000' }, { strict: true })).toThrow(ConfigError);
  });

  it('a bad governance setting is an error, not a default: it refuses calls where fail-closed was meant', () => {
    const { config, problems } = parseConfig({ TOKENMETER_ENFORCEMENT: 'maybe', TOKENMETER_CONTROL_PLANE_URL: 'ftp://x', TOKENMETER_ORG: 'a\u0007b' });
    expect(problems).toEqual([]);
    expect(config.governance).toEqual([
      {
        variable: 'TOKENMETER_ENFORCEMENT',
        refuse: true,
        message: 'TOKENMETER_ENFORCEMENT must be one of off, fail-open, fail-closed, got "maybe"; calls are refused until it is fixed (fail-closed cannot be ruled out)',
      },
      {
        variable: 'TOKENMETER_ORG',
        refuse: true,
        message: 'TOKENMETER_ORG must be 1-256 characters without control characters, got "a\\u0007b"; calls are refused until it is fixed (TOKENMETER_ENFORCEMENT is fail-closed or unreadable)',
      },
      {
        variable: 'TOKENMETER_CONTROL_PLANE_URL',
        refuse: true,
        message: 'TOKENMETER_CONTROL_PLANE_URL must be an http(s) URL, got "ftp://x"; calls are refused until it is fixed (TOKENMETER_ENFORCEMENT is fail-closed or unreadable)',
      },
    ]);
    expect(config.controlPlane).toBeUndefined();
    expect(config.attribution).toEqual({});
  });
});
