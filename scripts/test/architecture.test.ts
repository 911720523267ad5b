// docs/architecture.md names what the code really reads and exports: every
// environment variable the services' configuration modules read, and every
// metric the control plane's /metrics serves. Both lists come from running the
// code, so a new variable or metric fails here until the page names it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@tokenmeter/instrumentation';
import { defaultConfig, loadConfig as loadControlPlaneConfig, startServer, type RunningServer } from '@tokenmeter/quota-webhook';
import { loadConfig as loadCollectorConfig } from '@tokenmeter/collector-processor';
import { PORT_SETTINGS } from '../demo/ports.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');

/** Whether the page names `name` as code (`NAME`), not as part of a longer name. */
function named(name: string): boolean {
  return new RegExp(`\`${name}\``).test(doc);
}

/**
 * The variables `load` reads from its environment: it is given an environment
 * that records every key asked for, then again with each key found so far set
 * (reading one variable can lead to others, e.g. the SMTP settings after
 * `TOKENMETER_SMTP_HOST`), until no new key appears.
 */
function variablesRead(load: (env: NodeJS.ProcessEnv) => unknown): Set<string> {
  const read = new Set<string>();
  const env: Record<string, string> = {};
  for (;;) {
    const before = read.size;
    const spy = new Proxy({ ...env }, {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key) as unknown;
      },
    });
    try {
      load(spy);
    } catch {
      // A ConfigError for the placeholder values: the reads are what counts.
    }
    if (read.size === before) return read;
    // A URL is a valid value for the variables whose presence leads to more reads.
    for (const key of read) env[key] ??= 'http://127.0.0.1:1';
  }
}

/** Variables of earlier versions that a service reads only to refuse them with their new name. */
function renamed(load: (env: NodeJS.ProcessEnv) => unknown, variable: string): boolean {
  try {
    load({ [variable]: '1' });
  } catch (error) {
    const problems = (error as { problems?: Array<{ variable: string; message: string }> }).problems ?? [];
    return problems.some((p) => p.variable === variable && /renamed/.test(p.message));
  }
  return false;
}

/** `process.env.NAME` reads in the demo launcher, its helpers and the mock provider. */
function demoVariables(): Set<string> {
  const files = [
    join(root, 'scripts', 'start.js'),
    ...readdirSync(join(root, 'scripts', 'demo')).filter((f) => f.endsWith('.mjs')).map((f) => join(root, 'scripts', 'demo', f)),
    join(root, 'tools', 'mock-llm', 'src', 'main.ts'),
  ];
  const names = new Set<string>(PORT_SETTINGS.map((s) => s.variable));
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
  }
  return names;
}

describe('docs/architecture.md', () => {
  const services: Array<[string, (env: NodeJS.ProcessEnv) => unknown]> = [
    ['the control plane', (env) => loadControlPlaneConfig(env)],
    ['the collector-processor', (env) => loadCollectorConfig(env)],
    ['the SDK', (env) => parseConfig(env as Record<string, string | undefined>, { strict: true })],
  ];

  for (const [service, load] of services) {
    it(`names every environment variable ${service} reads`, () => {
      const variables = [...variablesRead(load)].filter((v) => !renamed(load, v)).sort();
      expect(variables.length).toBeGreaterThan(5);
      expect(variables.filter((v) => !named(v))).toEqual([]);
    });
  }

  it('names every variable the demo reads', () => {
    const variables = [...demoVariables()].sort();
    expect(variables).toContain('TOKENMETER_DEMO_DIR');
    expect(variables.filter((v) => !named(v))).toEqual([]);
  });

  describe('the control plane metrics', () => {
    let server: RunningServer | undefined;

    beforeAll(async () => {
      server = await startServer({ config: defaultConfig({ host: '127.0.0.1', port: 0, resetCheckMillis: 3_600_000 }), onError: () => {} });
      // Some families appear only with data: a quota, a directory entry, a provider setting and a call.
      const send = async (method: string, path: string, body: unknown): Promise<void> => {
        const res = await fetch(`${server!.url}/api/v1${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status, `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
      };
      await send('POST', '/quotas', { id: 'q', scope: 'department', subject: 'research', metric: 'cost', period: 'day', limit: 1 });
      await send('PUT', '/directory/users/alice', { department: 'research', org: 'acme' });
      await send('PUT', '/providers/acme/openai', { enabled: true, priority: 1, limits: { hourly_requests: 100 } });
      await send('POST', '/usage', {
        records: [{
          id: 'architecture-doc-1', time: new Date().toISOString(), user: 'alice', provider: 'openai', operation: 'chat',
          request_model: 'gpt-4.1-mini', tokens: { input: 10, output: 5, cache_read: 0, cache_write: 0, reasoning: 0 },
          cost_usd: null, outcome: 'ok', latency_ms: 12, source: 'sdk',
        }],
      });
    });

    afterAll(async () => {
      await server?.close();
    });

    it('names every metric family /metrics serves (besides prom-client’s process_* and nodejs_*)', async () => {
      const text = await (await fetch(`${server!.url}/metrics`)).text();
      const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!)
        .filter((name) => !name.startsWith('process_') && !name.startsWith('nodejs_'));
      expect(families).toContain('tokenmeter_quota_utilization');
      expect(families).toContain('tokenmeter_period_cost_usd');
      expect(families.filter((name) => !named(name))).toEqual([]);
    });
  });
});
