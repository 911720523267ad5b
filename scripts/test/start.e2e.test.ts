// `npm start` is half of the README's contract: run it as a user would (the
// real `npm start`, on free ports), watch the story unfold, then send SIGINT
// to the npm process as `kill -INT` would. Every child must be gone, stopped
// in order, and every call the demo service made must be in the ledger.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitFor } from '@tokenmeter/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PORT_SETTINGS } from '../demo/ports.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tokenmeter-demo-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The SDK in the demo service refusing frank's next call. */
const REFUSED = /\[demo-service\] +demo-service: refused: tokenmeter: user "frank" is blocked by quota user-hourly-cost/;

/** Lines the launcher printed for `source` (`[story]`, `[summary]`, …), without the prefix. */
function linesOf(output: string, source: string): string[] {
  return output.split('\n').filter((line) => line.startsWith(`[${source}]`)).map((line) => line.slice(16));
}

describe('npm start', () => {
  it('tells the story from the real system, and SIGINT to npm stops every child in order with the last usage in the ledger', { timeout: 240_000 }, async () => {
    const env: Record<string, string> = { TOKENMETER_DEMO_DIR: dir, DEMO_CALLS_PER_SECOND: '10' };
    for (const { variable } of PORT_SETTINGS) env[variable] = String(await freePort());
    const npm = startProcess('npm', ['start'], { cwd: root, env: { ...process.env, ...env } });

    // frank reaches his hard hourly quota in well under a minute at 10 calls/s; Alertmanager then calls.
    const toldAll = waitFor(
      () => {
        const output = npm.output();
        const told = linesOf(output, 'story');
        return told.some((line) => line.startsWith('BLOCKED user frank')) &&
          told.some((line) => line.startsWith('Alertmanager → control plane:')) &&
          REFUSED.test(output) &&
          linesOf(output, 'summary').some((line) => line.includes('blocked now: user frank; Prometheus, rate over the last minute'));
      },
      { timeoutMillis: 150_000, intervalMillis: 500, what: 'the block, an Alertmanager call, a refusal in the SDK and a summary with the block and the Prometheus rate' },
    );
    const ended = npm.exited.then((code) => {
      throw new Error(`npm start exited (${code}) before the story was told`);
    });
    // Whichever loses the race settles later (npm ends on SIGINT): not an unhandled rejection.
    toldAll.catch(() => undefined);
    ended.catch(() => undefined);
    await Promise.race([toldAll, ended]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${npm.output().slice(-6000)}`);
    });

    const started = [...npm.output().matchAll(/^\[demo\] +started ([\w-]+) \(pid (\d+)\)$/gm)].map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
    expect(started.map((p) => p.name).sort()).toEqual(['alertmanager', 'collector', 'control-plane', 'demo-service', 'mock-llm', 'prometheus']);

    process.kill(npm.child.pid!, 'SIGINT');
    const code = await npm.exited;
    const output = npm.output();
    expect(code, output.slice(-4000)).toBe(0);
    for (const { name, pid } of started) expect(alive(pid), `${name} (pid ${pid}) still running`).toBe(false);

    const demo = linesOf(output, 'demo');
    expect(demo[demo.length - 1]).toMatch(/^stopped: demo-service, collector, prometheus, alertmanager, mock-llm, control-plane have exited; state kept in /);
    expect(output.trimEnd().split('\n').at(-1)).toMatch(/^\[demo\] +stopped: /);

    // Each threshold of frank's hourly quota once, then the block the ledger placed at ingest.
    const story = linesOf(output, 'story');
    for (const percent of [80, 90, 100]) {
      expect(story.filter((line) => line.startsWith(`user frank reached ${percent} % of quota user-hourly-cost (hard): $`)), story.join('\n')).toHaveLength(1);
    }
    const reached100 = story.findIndex((line) => line.startsWith('user frank reached 100 %'));
    const blocked = story.findIndex((line) => line.startsWith('BLOCKED user frank: the ledger blocked at ingest'));
    expect(blocked, story.join('\n')).toBeGreaterThan(reached100);

    const summary = linesOf(output, 'summary');
    expect(summary.some((line) => /^ledger, all time: \w+ \$\d+\.\d{4} \(\d+ calls\)/.test(line)), summary.join('\n')).toBe(true);
    expect(summary.some((line) => /^ledger, this hour \(from \d\d:00 UTC\): .*; blocked now: user frank; Prometheus, rate over the last minute: \$\d+\.\d{4}\/h$/.test(line))).toBe(true);
    expect(summary.some((line) => line.startsWith('final: ledger, all time: '))).toBe(true);
    expect(output.split('\n').filter((line) => line.includes('call failed'))).toEqual([]);

    // The demo service stopped first and said how many calls it made; the control plane, stopped last, took all of them.
    const made = /demo-service: stopped after ok=(\d+) refused=(\d+) failed=(\d+) calls/.exec(output);
    expect(made, output.slice(-4000)).not.toBeNull();
    const [ok, refused, failed] = [Number(made![1]), Number(made![2]), Number(made![3])];
    expect(ok).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(0);
    const db = new DatabaseSync(join(dir, 'tokenmeter.db'), { readOnly: true });
    try {
      const row = db.prepare("SELECT count(*) AS n FROM records WHERE service = 'demo-service'").get() as { n: number };
      // Calls that reached the provider are reported (ok or failed); refused ones never left the process.
      expect(row.n).toBe(ok + failed);
    } finally {
      db.close();
    }
  });

  it('refuses a port in use, naming the variable that moves it, and starts nothing', async () => {
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const env: Record<string, string> = { TOKENMETER_DEMO_DIR: join(dir, 'refused') };
      for (const { variable } of PORT_SETTINGS) env[variable] = String(await freePort());
      env.TOKENMETER_CONTROL_PLANE_PORT = String(port);
      const launcher = startProcess(process.execPath, ['scripts/start.js'], { cwd: root, env: { ...process.env, ...env } });
      expect(await launcher.exited).toBe(2);
      expect(launcher.output().trim()).toBe(
        `tokenmeter start: port ${port} (control plane) is in use: stop what holds it, or move the control plane with TOKENMETER_CONTROL_PLANE_PORT=<another port>`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
