/**
 * OpenTelemetry's own variables where they exist: the Prometheus exporter's
 * host and port, and OTEL_SDK_DISABLED. Our older names still work alone;
 * when both are set the standard one wins, with a warning.
 */
import { metrics } from '@opentelemetry/api';
import { freePort, waitFor } from '@tokenmeter/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/env.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';

let handle: TokenmeterHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
  vi.restoreAllMocks();
});

describe('OTEL_EXPORTER_PROMETHEUS_HOST / _PORT', () => {
  it('are read; the older TOKENMETER_PROMETHEUS_* names still work alone; the standard wins when both are set, with a warning', () => {
    expect(parseConfig({ OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.2', OTEL_EXPORTER_PROMETHEUS_PORT: '9999' }).config.prometheus).toEqual({ host: '127.0.0.2', port: 9999 });
    expect(parseConfig({ TOKENMETER_PROMETHEUS_HOST: '127.0.0.3', TOKENMETER_PROMETHEUS_PORT: '9998' }).config.prometheus).toEqual({ host: '127.0.0.3', port: 9998 });
    const both = parseConfig({ OTEL_EXPORTER_PROMETHEUS_PORT: '9999', TOKENMETER_PROMETHEUS_PORT: '9998' });
    expect(both.config.prometheus.port).toBe(9999);
    expect(both.warnings).toEqual(['OTEL_EXPORTER_PROMETHEUS_PORT and TOKENMETER_PROMETHEUS_PORT are both set; using OTEL_EXPORTER_PROMETHEUS_PORT (TOKENMETER_PROMETHEUS_PORT is the older name)']);
    expect(parseConfig({ OTEL_EXPORTER_PROMETHEUS_PORT: '0x1F90' }).problems.map((p) => p.message)).toEqual(['OTEL_EXPORTER_PROMETHEUS_PORT must be an integer 0-65535, got "0x1F90"']);
  });

  it('the endpoint listens where OTEL_EXPORTER_PROMETHEUS_PORT says (not on :9464), and the conflict is warned on stderr', async () => {
    const port = await freePort();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    handle = startTokenmeter({ env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), TOKENMETER_PROMETHEUS_PORT: '0' } });
    expect(await waitFor(() => handle?.prometheusPort(), { what: 'the endpoint' })).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([
      'tokenmeter: OTEL_EXPORTER_PROMETHEUS_PORT and TOKENMETER_PROMETHEUS_PORT are both set; using OTEL_EXPORTER_PROMETHEUS_PORT (TOKENMETER_PROMETHEUS_PORT is the older name)\n',
    ]);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('true disables the SDK (case-insensitive); false or unset does not; the older TOKENMETER_DISABLED still works alone', () => {
    expect(parseConfig({ OTEL_SDK_DISABLED: 'TRUE' }).config.disabled).toBe(true);
    expect(parseConfig({ OTEL_SDK_DISABLED: 'false' }).config.disabled).toBe(false);
    expect(parseConfig({}).config.disabled).toBe(false);
    expect(parseConfig({ TOKENMETER_DISABLED: 'true' }).config.disabled).toBe(true);
    const both = parseConfig({ OTEL_SDK_DISABLED: 'false', TOKENMETER_DISABLED: 'true' });
    expect(both.config.disabled).toBe(false);
    expect(both.warnings).toEqual(['OTEL_SDK_DISABLED and TOKENMETER_DISABLED are both set; using OTEL_SDK_DISABLED (TOKENMETER_DISABLED is the older name)']);
  });

  it('a disabled SDK opens no endpoint and installs no meter provider', async () => {
    handle = startTokenmeter({ env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
    expect(handle.accumulator).toBeUndefined();
    expect(handle.prometheusPort()).toBeUndefined();
    expect(metrics.getMeterProvider().constructor.name).toMatch(/^Noop/);
  });
});
