/**
 * The hook in NODE_OPTIONS reaches every Node process of a host: it must never
 * break one, whatever way Node starts code, and processes that use an LLM SDK
 * must still be measured. Each case runs a real child process with
 * `--require …/register` and with `--import …/register.mjs`, calling the mock
 * provider through the real openai client; its usage records must reach a
 * control plane, tagged with the case's feature.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockLlm, type RunningMockLlm } from '@tokenmeter/mock-llm';
import { freePort, startProcess, waitFor, type ManagedProcess } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INSTRUMENTATION_DIR } from '../fixtures/run-app.js';
import { startUsageServer, type UsageServer } from '../fixtures/usage-server.js';

const STARTS = fileURLToPath(new URL('../fixtures/starts/', import.meta.url));
const NPM_PROJECT = fileURLToPath(new URL('../fixtures/npm-project/', import.meta.url));
const HOOKS = {
  require: '--require @tokenmeter/instrumentation/register',
  import: '--import @tokenmeter/instrumentation/register.mjs',
} as const;

// Each case starts real Node processes (npm, a REPL, workers): slow on a loaded machine, never a timing assertion.
vi.setConfig({ testTimeout: 120_000 });

let mock: RunningMockLlm;
let controlPlane: UsageServer;

beforeAll(async () => {
  mock = await startMockLlm();
  controlPlane = await startUsageServer();
});
afterAll(async () => {
  await mock.stop();
  await controlPlane.stop();
});

/** The environment of a hooked process: the hook in NODE_OPTIONS, the mock provider, a control plane, ephemeral ports. */
function hookedEnv(hook: keyof typeof HOOKS, feature: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_OPTIONS: HOOKS[hook],
    OPENAI_BASE_URL: `${mock.url}/v1`,
    OPENAI_API_KEY: 'test',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    TOKENMETER_CONTROL_PLANE_URL: controlPlane.url,
    TOKENMETER_REPORT_INTERVAL_MS: '50',
    TOKENMETER_FEATURE: feature,
    ...extra,
  };
}

/** Runs `node args…` (stdin from `input`) and returns its exit code and output. */
async function run(args: string[], env: NodeJS.ProcessEnv, input?: string, command = process.execPath): Promise<{ code: number | null; output: string }> {
  const child = startProcess(command, args, { cwd: INSTRUMENTATION_DIR, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.child.stdin?.end(input);
  const code = await Promise.race([child.exited, timeout(child, 30_000)]);
  return { code, output: child.output() };
}

async function timeout(child: ManagedProcess, millis: number): Promise<null> {
  await waitFor(() => child.child.exitCode !== null || child.child.signalCode !== null, { timeoutMillis: millis, what: `the process to exit:\n${child.output()}` });
  return null;
}

/** The usage records the control plane stored for `feature`. */
function recordsOf(feature: string): number {
  return controlPlane.stored().filter((record) => record.feature === feature).length;
}

/** Nothing of ours on the output: no crash, no warning. */
function expectClean(output: string): void {
  expect(output).not.toMatch(/tokenmeter:|ENOENT|Error/);
}

const CALL_ONE_LINE =
  "new (require('openai').OpenAI)({ maxRetries: 0 }).chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }).then((c) => console.log('CALLED', c.id))";

describe.each(Object.keys(HOOKS) as (keyof typeof HOOKS)[])('the hook in NODE_OPTIONS (%s) never breaks a process', (hook) => {
  it('node -e and node -p without any LLM SDK (the crash: ENOENT open "module")', async () => {
    // No LLM SDK loaded: the SDK is not even started (no meter provider, no port, no connection).
    const e = await run(['-e', "require('node:fs'); console.log('E-OK', require('@opentelemetry/api').metrics.getMeterProvider().constructor.name)"], hookedEnv(hook, `${hook}-bare`));
    expect(e).toEqual({ code: 0, output: 'E-OK NoopMeterProvider\n' });
    const p = await run(['-p', "require('node:path').join('a', 'b')"], hookedEnv(hook, `${hook}-bare`));
    expect(p).toEqual({ code: 0, output: 'a/b\n' });
    const esm = await run(['--input-type=module', '-e', "import { join } from 'node:path'; console.log(join('c', 'd'))"], hookedEnv(hook, `${hook}-bare`));
    expect(esm).toEqual({ code: 0, output: 'c/d\n' });
  });

  it('a process that loads no LLM SDK loads none of the patches, OpenTelemetry or the module libraries; one that does loads them then', async () => {
    // What every process on a host pays: the hook's own few modules. The rest waits for the first SDK module.
    const loads = async (args: string[]): Promise<string[]> => {
      const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-loads-'));
      try {
        const file = join(dir, 'loads.txt');
        const { code, output } = await run(args, { ...hookedEnv(hook, `${hook}-loads`), NODE_OPTIONS: `--require ${STARTS}loads.cjs ${HOOKS[hook]}`, TOKENMETER_TEST_LOADS: file });
        expect(code, output).toBe(0);
        return readFileSync(file, 'utf8').split('\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const heavy = /@opentelemetry\/|import-in-the-middle|require-in-the-middle|\/dist\/(core|pricing|instrumentations\/(openai|anthropic))\//;
    const bare = await loads(['-e', "require('node:fs')"]);
    expect(bare.some((url) => url.endsWith('/dist/register.js')), bare.join('\n')).toBe(true);
    expect(bare.filter((url) => heavy.test(url))).toEqual([]);
    const required = await loads(['-e', "console.log(typeof require('openai').OpenAI.Chat.Completions.prototype.create.__original)"]);
    expect(required.some((url) => url.includes('/dist/instrumentations/patch-sdk.js'))).toBe(true);
    expect(required.some((url) => url.includes('/@opentelemetry/api/'))).toBe(true);
    expect(required.some((url) => url.includes('import-in-the-middle'))).toBe(false); // require only: the ESM hook never started
    const imported = await loads(['--input-type=module', '-e', "import OpenAI from 'openai'; console.log(typeof OpenAI.Chat.Completions.prototype.create.__original)"]);
    expect(imported.some((url) => url.includes('import-in-the-middle'))).toBe(true);
    expect(imported.some((url) => url.includes('/dist/instrumentations/patch-sdk.js'))).toBe(true);
  });

  it('node -e calling the provider: measured and reported', async () => {
    const { code, output } = await run(['-e', CALL_ONE_LINE], hookedEnv(hook, `${hook}-eval`));
    expect(code).toBe(0);
    expect(output).toMatch(/^CALLED chatcmpl-mock-\d+\n$/);
    await waitFor(() => recordsOf(`${hook}-eval`) === 1, { what: 'the -e call reported' });
  });

  it('node -p loading the SDK prints its value and exits', async () => {
    const { code, output } = await run(['-p', "typeof require('openai').OpenAI"], hookedEnv(hook, `${hook}-print`));
    expect({ code, output }).toEqual({ code: 0, output: 'function\n' });
  });

  it('a CommonJS file, an ES module and TypeScript through --experimental-strip-types', async () => {
    for (const [file, flags] of [['call.cjs', []], ['call.mjs', []], ['call.ts', ['--experimental-strip-types', '--no-warnings']]] as const) {
      const feature = `${hook}-${file}`;
      const { code, output } = await run([...flags, `${STARTS}${file}`], hookedEnv(hook, feature));
      expect({ file, code }).toEqual({ file, code: 0 });
      expect(output).toMatch(/^CALLED chatcmpl-mock-\d+\n$/);
      await waitFor(() => recordsOf(feature) === 1, { what: `the call of ${file} reported` });
    }
  });

  it('code on stdin', async () => {
    const { code, output } = await run([], hookedEnv(hook, `${hook}-stdin`), `${CALL_ONE_LINE};\n`);
    expect(code).toBe(0);
    expect(output).toMatch(/^CALLED chatcmpl-mock-\d+\n$/);
    await waitFor(() => recordsOf(`${hook}-stdin`) === 1, { what: 'the stdin call reported' });
  });

  it('the REPL, driven through its stdin', async () => {
    const child = spawn(process.execPath, ['-i'], { cwd: INSTRUMENTATION_DIR, env: hookedEnv(hook, `${hook}-repl`, { NODE_NO_READLINE: '1' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin.write('6 * 7\n');
    await waitFor(() => output.includes('42'), { what: `the REPL to answer:\n${output}`, timeoutMillis: 30_000 });
    child.stdin.write(`${CALL_ONE_LINE}; undefined\n`);
    await waitFor(() => /CALLED chatcmpl-mock-\d+/.test(output), { what: `the REPL call:\n${output}`, timeoutMillis: 30_000 });
    child.stdin.write('.exit\n');
    expect(await exited).toBe(0);
    expectClean(output);
    await waitFor(() => recordsOf(`${hook}-repl`) === 1, { what: `the REPL call reported:\n${output}`, timeoutMillis: 30_000 });
  });

  it('a worker thread: its call is reported, and counted by the main thread (the only metrics endpoint)', async () => {
    const { code, output } = await run([`${STARTS}worker.cjs`], hookedEnv(hook, 'worker'));
    expect(output).toMatch(/CALLED chatcmpl-mock-\d+\nWORKER-EXIT 0\nWORKER-METRICS counted\n$/);
    expect(code).toBe(0);
    expectClean(output);
    await waitFor(() => recordsOf('worker') >= 1, { what: 'the worker call reported' });
  });

  it('a child process inheriting NODE_OPTIONS', async () => {
    const { code, output } = await run([`${STARTS}parent.cjs`], hookedEnv(hook, `${hook}-parent`));
    expect(output).toMatch(/^CALLED chatcmpl-mock-\d+\nCALLED chatcmpl-mock-\d+\nCHILD-EXIT 0\n$/);
    expect(code).toBe(0);
    await waitFor(() => recordsOf(`${hook}-parent`) === 1 && recordsOf(`${hook}-parent-child`) === 1, { what: 'both calls reported' });
  });

  it('npm test of a small project: npm loads the hook too, but the metrics port goes to the process that calls the provider', async () => {
    const port = await freePort();
    const env = hookedEnv(hook, 'npm-test', {
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      // The hook resolves from the fixture project through the workspace's node_modules.
      NODE_PATH: '',
    });
    const child = startProcess('npm', ['test', '--silent'], { cwd: NPM_PROJECT, env });
    const code = await Promise.race([child.exited, timeout(child, 60_000)]);
    expect(child.output()).toMatch(/NPM-TEST-OK chatcmpl-mock-\d+/);
    expect(code).toBe(0);
    expectClean(child.output());
  });
});

describe('the OpenTelemetry SDK comes from its bundle (dist/telemetry/otel-sdk.bundle.cjs)', () => {
  it('a process that exports metrics and spans loads no OpenTelemetry package file but @opentelemetry/api, and the app and the SDK share the api', async () => {
    const otlp: { path: string; body: Buffer }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        otlp.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-loads-'));
    try {
      const file = join(dir, 'loads.txt');
      const prometheusPort = await freePort();
      const env = {
        ...hookedEnv('require', 'bundle', { OTEL_EXPORTER_PROMETHEUS_PORT: String(prometheusPort) }),
        NODE_OPTIONS: `--require ${STARTS}loads.cjs ${HOOKS.require}`,
        TOKENMETER_TEST_LOADS: file,
        TOKENMETER_CONTROL_PLANE_URL: '',
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      };
      const child = startProcess(process.execPath, [`${STARTS}app-span.cjs`], { cwd: INSTRUMENTATION_DIR, env, stdio: ['pipe', 'pipe', 'pipe'] });
      const ready = await waitFor(() => /^READY ([0-9a-f]{32}) ([\w$]+)$/m.exec(child.output()) ?? undefined, { what: 'the app to call and print READY', timeoutMillis: 30_000 });
      // The app's tracer comes from the SDK's tracer provider (sdk-trace names it `TracerProvider$1` in its ES module build):
      // the app's @opentelemetry/api is the one the SDK registered with.
      expect(ready[2]).toMatch(/^TracerProvider/);
      const exposition = await (await fetch(`http://127.0.0.1:${prometheusPort}/metrics`)).text();
      child.child.stdin?.end();
      expect(await child.exited, child.output()).toBe(0);

      const loaded = readFileSync(file, 'utf8').split('\n');
      expect(loaded.filter((url) => url.endsWith('/dist/telemetry/otel-sdk.bundle.cjs'))).toHaveLength(1);
      expect(loaded.some((url) => url.includes('/@opentelemetry/api/'))).toBe(true);
      expect(loaded.filter((url) => url.includes('/@opentelemetry/') && !url.includes('/@opentelemetry/api/'))).toEqual([]);
      // Loaded only when needed: the SSE parser with a control plane, re2js with the first model no exact price entry names.
      expect(loaded.filter((url) => /\/node_modules\/(eventsource-parser|re2js)\//.test(url))).toEqual([]);

      // Metrics through both exporters, and spans: the call's span a child of the app's (the same trace id, twice).
      expect(exposition).toMatch(/^tokenmeter_requests_total\{[^}]*tokenmeter_feature="bundle"[^}]*\} 1$/m);
      expect(Buffer.concat(otlp.filter((r) => r.path === '/v1/metrics').map((r) => r.body)).includes('tokenmeter.tokens')).toBe(true);
      const spans = Buffer.concat(otlp.filter((r) => r.path === '/v1/traces').map((r) => r.body));
      expect(spans.includes('app-operation')).toBe(true);
      expect(spans.includes('chat gpt-4.1-mini')).toBe(true);
      const traceId = Buffer.from(ready[1]!, 'hex');
      expect(spans.indexOf(traceId)).not.toBe(spans.lastIndexOf(traceId));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
