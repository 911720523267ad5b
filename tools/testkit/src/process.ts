import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { waitForHttp } from './wait.js';

/** A child process whose output is kept for failure messages and that `stop()` always ends. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMillis`; resolves once the process has exited. */
  stop(graceMillis?: number): Promise<void>;
  /** SIGKILL at once (crash tests); resolves once the process has exited. */
  kill(): Promise<void>;
  /** Resolves with the exit code when the process exits. */
  exited: Promise<number | null>;
}

const running = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const managed of running) managed.child.kill('SIGKILL');
});

/** Starts `command` with its output captured. */
export function startProcess(command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let buffer = '';
  const keep = (chunk: Buffer): void => {
    buffer += chunk.toString();
    if (buffer.length > 200_000) buffer = buffer.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      buffer += `\n[spawn error] ${error.message}`;
      resolve(null);
    });
  });
  const managed: ManagedProcess = {
    child,
    output: () => buffer,
    exited,
    async stop(graceMillis = 5_000) {
      running.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMillis);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      running.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(managed);
  return managed;
}

/** Waits until `readyUrl` answers 2xx; otherwise stops `proc` and throws with the end of its output. */
export async function awaitReady(proc: ManagedProcess, readyUrl: string, name: string, timeoutMillis = 30_000): Promise<void> {
  try {
    await waitForHttp(readyUrl, timeoutMillis);
  } catch (error) {
    await proc.stop();
    throw new Error(`${name} did not become ready: ${String(error)}\n${proc.output().slice(-4000)}`, { cause: error });
  }
}
