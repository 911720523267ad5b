/**
 * The built entry point as an operator runs it: a bad setting or a failed
 * start prints one line naming the setting and what to do (no stack trace)
 * and exits non-zero.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess } from '@tokenmeter/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'dist', 'main.js');

async function run(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('TOKENMETER_')) delete base[k];
  const p = startProcess(process.execPath, [MAIN], { env: { ...base, TOKENMETER_LOG_LEVEL: 'silent', ...env } });
  const code = await p.exited;
  return { code, lines: p.output().split('\n').filter((l) => l !== '') };
}

describe('start-up failures', () => {
  let held: Server;
  let busyPort: number;
  beforeAll(async () => {
    held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    busyPort = (held.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => held.close(() => r()));
  });

  it('a port in use: one line naming the port variable, exit 1', async () => {
    const otlp = await run({ TOKENMETER_COLLECTOR_HOST: '127.0.0.1', TOKENMETER_COLLECTOR_OTLP_PORT: String(busyPort), TOKENMETER_COLLECTOR_METRICS_PORT: '0' });
    expect(otlp.code).toBe(1);
    expect(otlp.lines).toEqual([
      `tokenmeter-collector-processor: TOKENMETER_COLLECTOR_OTLP_PORT=${busyPort}: port in use on 127.0.0.1: stop what holds it or set TOKENMETER_COLLECTOR_OTLP_PORT to a free port`,
    ]);
    const metrics = await run({ TOKENMETER_COLLECTOR_HOST: '127.0.0.1', TOKENMETER_COLLECTOR_OTLP_PORT: String(await freePort()), TOKENMETER_COLLECTOR_METRICS_PORT: String(busyPort) });
    expect(metrics.code).toBe(1);
    expect(metrics.lines).toHaveLength(1);
    expect(metrics.lines[0]).toContain(`TOKENMETER_COLLECTOR_METRICS_PORT=${busyPort}: port in use`);
  });

  it('an address this machine does not have: one line naming TOKENMETER_COLLECTOR_HOST, exit 1', async () => {
    const r = await run({ TOKENMETER_COLLECTOR_HOST: '192.0.2.1', TOKENMETER_COLLECTOR_OTLP_PORT: '0', TOKENMETER_COLLECTOR_METRICS_PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['tokenmeter-collector-processor: TOKENMETER_COLLECTOR_HOST=192.0.2.1: no such address on this machine: use one of its addresses, 0.0.0.0 or 127.0.0.1']);
  });

  it('bad settings: one line listing every bad variable, exit 2', async () => {
    const r = await run({ TOKENMETER_COLLECTOR_OTLP_PORT: '0x1F90', TOKENMETER_COLLECTOR_METRICS_PORT: ' 1e3 ' });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      'tokenmeter-collector-processor: invalid configuration: TOKENMETER_COLLECTOR_OTLP_PORT: must be a decimal integer from 0 to 65535 (digits only); TOKENMETER_COLLECTOR_METRICS_PORT: must be a decimal integer from 0 to 65535 (digits only)',
    ]);
  });
});
