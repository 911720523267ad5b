import { configProblems } from '@tokenmeter/testkit';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, loadConfig } from '../src/index.js';

const problems = (env: Record<string, string>) => configProblems(ConfigError, () => loadConfig(env));

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      host: '0.0.0.0',
      otlpPort: 4318,
      metricsPort: 8889,
      bodyLimitBytes: 4 * 1024 * 1024,
      queueRequests: 64,
      queueBytes: 16 * 1024 * 1024,
      seriesLimit: 10_000,
      ownSpans: 'ignore',
      controlPlaneUrl: undefined,
      otlpTokens: [],
      metricsToken: undefined,
      priceRefreshMs: 60_000,
      directorySyncMs: 60_000,
      directoryTimeoutMs: 500,
      directoryMaxUsers: 200_000,
      directoryResyncMinMs: 10_000,
      ledgerFlushMs: 1_000,
      retryAfterMs: 1_000,
      shutdownFlushMs: 5_000,
      notices: [],
    });
  });

  it('reports every invalid variable at once, by name, in one ConfigError', () => {
    const found = problems({ TOKENMETER_COLLECTOR_OTLP_PORT: '70000', TOKENMETER_CONTROL_PLANE_URL: 'ftp://x', TOKENMETER_COLLECTOR_OWN_SPANS: 'maybe' });
    expect(found.map((p) => p.variable).sort()).toEqual(['TOKENMETER_COLLECTOR_OTLP_PORT', 'TOKENMETER_COLLECTOR_OWN_SPANS', 'TOKENMETER_CONTROL_PLANE_URL']);
    expect(found.find((p) => p.variable === 'TOKENMETER_COLLECTOR_OTLP_PORT')?.message).toBe('must be at most 65535');
    expect(() => loadConfig({ TOKENMETER_COLLECTOR_OTLP_PORT: '70000', TOKENMETER_CONTROL_PLANE_URL: 'not a url' })).toThrow(
      /^invalid configuration: TOKENMETER_COLLECTOR_OTLP_PORT: must be at most 65535; TOKENMETER_CONTROL_PLANE_URL: must be an http/,
    );
  });

  it('parses numbers strictly: hex, exponents, spaces, signs and fractions are refused, naming the variable', () => {
    for (const bad of ['0x1F90', ' 1e3 ', '1e3', '8080 ', '+8080', '-1', '80.5', '0b11', '١٢٣']) {
      expect(problems({ TOKENMETER_COLLECTOR_METRICS_PORT: bad }), JSON.stringify(bad)).toEqual([
        { variable: 'TOKENMETER_COLLECTOR_METRICS_PORT', message: 'must be a decimal integer from 0 to 65535 (digits only)' },
      ]);
    }
    expect(loadConfig({ TOKENMETER_COLLECTOR_METRICS_PORT: '8080', TOKENMETER_COLLECTOR_QUEUE_BYTES: '1048576' })).toMatchObject({ metricsPort: 8080, queueBytes: 1_048_576 });
    expect(problems({ TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS: '1_000' })[0]?.variable).toBe('TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS');
  });

  it('refuses the old variable names with their new name, so a setting is never ignored silently', () => {
    expect(problems({ TOKENMETER_OTLP_PORT: '4318', TOKENMETER_LEDGER_FLUSH_MILLIS: '50', TOKENMETER_MAX_BODY_BYTES: '1024' })).toEqual([
      { variable: 'TOKENMETER_OTLP_PORT', message: 'renamed to TOKENMETER_COLLECTOR_OTLP_PORT' },
      { variable: 'TOKENMETER_MAX_BODY_BYTES', message: 'renamed to TOKENMETER_COLLECTOR_BODY_LIMIT_BYTES' },
      { variable: 'TOKENMETER_LEDGER_FLUSH_MILLIS', message: 'renamed to TOKENMETER_COLLECTOR_LEDGER_FLUSH_MS (in milliseconds)' },
    ]);
  });

  describe('authentication defaults when forwarding to the ledger', () => {
    const cp = { TOKENMETER_CONTROL_PLANE_URL: 'http://cp.internal:9470', TOKENMETER_API_TOKEN: 'ingest-1' };

    it('refuses a non-loopback address without an OTLP token, naming the three ways out', () => {
      const found = problems({ ...cp, TOKENMETER_COLLECTOR_HOST: '0.0.0.0' });
      expect(found).toHaveLength(1);
      expect(found[0]?.variable).toBe('TOKENMETER_COLLECTOR_OTLP_TOKEN');
      expect(found[0]?.message).toMatch(/TOKENMETER_COLLECTOR_HOST=127\.0\.0\.1.*TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED=true/);
    });

    it('listens on loopback only when no host and no token are set, and says so', () => {
      const config = loadConfig(cp);
      expect(config.host).toBe('127.0.0.1');
      expect(config.notices).toEqual([expect.stringMatching(/listening on 127\.0\.0\.1 only/)]);
    });

    it('allows an explicit loopback address, a token, or the explicit opt-out', () => {
      expect(loadConfig({ ...cp, TOKENMETER_COLLECTOR_HOST: '::1' }).host).toBe('::1');
      expect(loadConfig({ ...cp, TOKENMETER_COLLECTOR_OTLP_TOKEN: 'otlp-a, otlp-b' })).toMatchObject({ host: '0.0.0.0', otlpTokens: ['otlp-a', 'otlp-b'], notices: [] });
      expect(loadConfig({ ...cp, TOKENMETER_COLLECTOR_HOST: '0.0.0.0', TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED: 'true' }).host).toBe('0.0.0.0');
      expect(problems({ ...cp, TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED: 'yes' })[0]?.variable).toBe('TOKENMETER_COLLECTOR_ALLOW_UNAUTHENTICATED');
    });

    it('without forwarding, nothing reaches the ledger: no token is required', () => {
      expect(loadConfig({ TOKENMETER_COLLECTOR_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    });

    it('refuses one token configured for two roles', () => {
      const found = problems({ ...cp, TOKENMETER_COLLECTOR_OTLP_TOKEN: 'shared,otlp-2', TOKENMETER_COLLECTOR_METRICS_TOKEN: 'shared', TOKENMETER_API_TOKEN: 'otlp-2' });
      expect(found.map((p) => p.variable).sort()).toEqual(['TOKENMETER_API_TOKEN', 'TOKENMETER_COLLECTOR_METRICS_TOKEN']);
      expect(problems({ TOKENMETER_API_TOKEN: 'same', TOKENMETER_COLLECTOR_METRICS_TOKEN: 'same' })).toEqual([
        { variable: 'TOKENMETER_COLLECTOR_METRICS_TOKEN', message: 'must differ from TOKENMETER_API_TOKEN (one token per role)' },
      ]);
    });

    it('refuses tokens a sender could not put in a header', () => {
      expect(problems({ TOKENMETER_COLLECTOR_METRICS_TOKEN: 'has space' })[0]?.variable).toBe('TOKENMETER_COLLECTOR_METRICS_TOKEN');
      expect(problems({ TOKENMETER_COLLECTOR_OTLP_TOKEN: ' , ' })[0]?.variable).toBe('TOKENMETER_COLLECTOR_OTLP_TOKEN');
    });
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com'].some(isLoopback)).toBe(false);
  });
});
