/**
 * A mistake in a governance setting never weakens governance silently: it is
 * logged at error level and counted, and where fail-closed was meant (or a
 * garbled mode cannot rule it out) every call is refused with a typed error
 * naming the setting, before any request leaves. Through the real openai
 * client, with the SDK started from the environment.
 */
import { metrics } from '@opentelemetry/api';
import { waitFor } from '@tokenmeter/testkit';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GovernanceConfigError, ProviderUnavailableError } from '../../src/control/errors.js';
import { startTokenmeter, type TokenmeterHandle } from '../../src/sdk.js';
import { createProvider } from '../fixtures/provider.js';
import { record, type Recorder } from '../fixtures/recorder.js';
import { OPENAI_MAJORS } from '../openai/majors.js';

const openai7 = OPENAI_MAJORS[0]!;
let recorder: Recorder;
let handle: TokenmeterHandle | undefined;

beforeAll(() => {
  recorder = record({ openai: [openai7.moduleExports] });
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
  vi.restoreAllMocks();
  recorder.reset();
});

/** Starts the SDK with `env` (Prometheus on an ephemeral port) and returns what it wrote to stderr. */
function start(env: Record<string, string>): string[] {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  handle = startTokenmeter({ env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env } });
  return stderr.mock.calls.map((c) => String(c[0]));
}

function call(): { result: () => unknown; sent: () => number } {
  const provider = createProvider();
  const client = new openai7.OpenAI({ apiKey: 'test', fetch: provider.fetch, maxRetries: 0 });
  return { result: () => client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }), sent: () => provider.requests.length };
}

async function scrape(): Promise<string> {
  const port = await waitFor(() => handle?.prometheusPort(), { what: 'the metrics endpoint' });
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

describe('invalid governance settings', () => {
  it('TOKENMETER_ENFORCEMENT=fail_closed (a typo): every call refused with GovernanceConfigError naming the setting; error logged; counted', async () => {
    const stderr = start({ TOKENMETER_ENFORCEMENT: 'fail_closed', TOKENMETER_CONTROL_PLANE_URL: 'http://127.0.0.1:9' });
    const { result, sent } = call();
    let error: unknown;
    try {
      await result();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GovernanceConfigError);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({
      variable: 'TOKENMETER_ENFORCEMENT',
      code: 'governance_config_invalid',
      status: 503,
      reason: 'enforcement_unavailable',
      message:
        'tokenmeter: call refused: TOKENMETER_ENFORCEMENT must be one of off, fail-open, fail-closed, got "fail_closed"; calls are refused until it is fixed (fail-closed cannot be ruled out)',
    });
    expect(sent()).toBe(0);
    expect(recorder.calls.map((c) => c.outcome)).toEqual(['blocked']);
    expect(stderr.filter((line) => line.startsWith('tokenmeter: ERROR: TOKENMETER_ENFORCEMENT'))).toHaveLength(1);
    const text = await scrape();
    expect(text).toMatch(/tokenmeter_config_errors_total\{[^}]*tokenmeter_config_variable="TOKENMETER_ENFORCEMENT"[^}]*\} 1/);
    expect(text).toMatch(/tokenmeter_enforcement_refusals_total\{[^}]*tokenmeter_enforcement_reason="config_invalid"[^}]*\} 1/);
  });

  it('fail-closed with an invalid control plane URL, or none: refused, naming TOKENMETER_CONTROL_PLANE_URL', async () => {
    start({ TOKENMETER_ENFORCEMENT: 'fail-closed', TOKENMETER_CONTROL_PLANE_URL: 'cp.internal:9470' });
    expect(() => call().result()).toThrow(
      expect.objectContaining({ name: 'GovernanceConfigError', variable: 'TOKENMETER_CONTROL_PLANE_URL' }) as unknown as Error,
    );
    await handle?.shutdown();
    metrics.disable();
    start({ TOKENMETER_ENFORCEMENT: 'fail-closed' });
    expect(() => call().result()).toThrow('tokenmeter: call refused: TOKENMETER_ENFORCEMENT=fail-closed needs TOKENMETER_CONTROL_PLANE_URL; calls are refused until it is set');
  });

  it('fail-open (fail-closed ruled out): calls pass, but the broken setting is an error and counted, never silent', async () => {
    const stderr = start({ TOKENMETER_ENFORCEMENT: 'Fail_Open', TOKENMETER_CONTROL_PLANE_URL: 'ftp://cp', TOKENMETER_DEPARTMENT: 'bad\u0001dept' });
    const { result, sent } = call();
    await result();
    expect(sent()).toBe(1);
    expect(handle?.config.enforcement).toBe('fail-open');
    expect(stderr).toEqual([
      'tokenmeter: ERROR: TOKENMETER_ENFORCEMENT must be one of off, fail-open, fail-closed, got "Fail_Open"; running as fail-open\n',
      'tokenmeter: ERROR: TOKENMETER_DEPARTMENT must be 1-256 characters without control characters, got "bad\\u0001dept"; calls are not attributed to it, so its quotas do not apply to them\n',
      'tokenmeter: ERROR: TOKENMETER_CONTROL_PLANE_URL must be an http(s) URL, got "ftp://cp"; no usage is reported and no quota is enforced until it is fixed\n',
    ]);
    const text = await scrape();
    for (const variable of ['TOKENMETER_ENFORCEMENT', 'TOKENMETER_DEPARTMENT', 'TOKENMETER_CONTROL_PLANE_URL']) {
      expect(text).toMatch(new RegExp(`tokenmeter_config_errors_total\\{[^}]*tokenmeter_config_variable="${variable}"[^}]*\\} 1`));
    }
  });

  it('a token that cannot be sent as a bearer token is named without being shown', () => {
    const stderr = start({ TOKENMETER_ENFORCEMENT: 'fail-closed', TOKENMETER_CONTROL_PLANE_URL: 'http://127.0.0.1:9', TOKENMETER_API_TOKEN: 'secret value with spaces' });
    expect(() => call().result()).toThrow(expect.objectContaining({ variable: 'TOKENMETER_API_TOKEN' }) as unknown as Error);
    expect(stderr.join('')).not.toContain('secret');
    expect(stderr.join('')).toContain('TOKENMETER_API_TOKEN must be visible ASCII without spaces (it is sent as a bearer token), got 24 characters that are not');
  });
});
