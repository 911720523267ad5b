// The demo's child processes: output prefixed by name, stopped in a given
// order. Each child runs in its own process group (`detached`), so a Ctrl-C
// in the terminal reaches only the launcher, which then stops the children
// one at a time (the usage sources first, the control plane last) instead of
// every process at once; and the launcher kills what is left if it exits.
import { spawn } from 'node:child_process';

/** Width of the `[name]` column of every line the demo prints. */
const PREFIX_WIDTH = 16;

/** `[name]` padded to the column of every line the demo prints. */
export function prefix(name) {
  return `[${name}] `.padEnd(PREFIX_WIDTH);
}

/** Writes `text` line by line with the name of its source in front. */
export function printLines(name, text, write = (line) => process.stdout.write(line)) {
  for (const line of text.split('\n')) if (line.trim() !== '') write(`${prefix(name)}${line}\n`);
}

export class Processes {
  /**
   * @param {{ cwd: string, graceMs?: number, onUnexpectedExit: (name: string, how: string) => void }} options
   *   graceMs: how long a child may take to stop after SIGTERM before SIGKILL.
   */
  constructor(options) {
    this._cwd = options.cwd;
    this._graceMs = options.graceMs ?? 10_000;
    this._onUnexpectedExit = options.onUnexpectedExit;
    /** @type {Array<{ name: string, child: import('node:child_process').ChildProcess, stopRank: number, closed: Promise<void> }>} */
    this._running = [];
    this._stopping = false;
    process.once('exit', () => this.killNow());
  }

  /** Names and pids of the children started so far. */
  get started() {
    return this._running.map(({ name, child }) => ({ name, pid: child.pid }));
  }

  /**
   * Starts `command`; `stopRank` orders the stop (lower first). An exit before
   * `stopAll()` is reported to `onUnexpectedExit`.
   */
  start(name, command, args, { env = {}, stopRank }) {
    if (this._stopping) throw new Error(`not starting ${name}: the demo is stopping`);
    const child = spawn(command, args, { cwd: this._cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (text) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        printLines(name, lines.join('\n'));
      });
      stream.on('end', () => printLines(name, partial));
    }
    // 'close' comes after 'exit' and after the last output line has been read.
    const closed = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (error) => printLines(name, `could not start ${command}: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (!this._stopping) this._onUnexpectedExit(name, signal ?? `code ${code}`);
    });
    this._running.push({ name, child, stopRank, closed });
    printLines('demo', `started ${name} (pid ${child.pid})`);
    return child;
  }

  /** Stops every child, lowest `stopRank` first, each with SIGTERM then (after graceMs) SIGKILL; resolves with their names in stop order. */
  async stopAll() {
    this._stopping = true;
    const order = [...this._running].sort((a, b) => a.stopRank - b.stopRank);
    for (const entry of order) await this._stop(entry);
    return order.map((entry) => entry.name);
  }

  /** Stops the children whose rank is below `rank` (same order and rules as stopAll). */
  async stopBelow(rank) {
    this._stopping = true;
    const order = this._running.filter((entry) => entry.stopRank < rank).sort((a, b) => a.stopRank - b.stopRank);
    for (const entry of order) await this._stop(entry);
  }

  async _stop({ child, closed }) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer;
    // Too slow: the child and whatever it started in its group get SIGKILL.
    const late = new Promise((resolve) => {
      timer = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        resolve();
      }, this._graceMs);
    });
    await Promise.race([closed, late]);
    clearTimeout(timer);
    await closed;
  }

  /** Synchronous last resort when the launcher itself exits: the group of every child still running gets SIGKILL. */
  killNow() {
    for (const { child } of this._running) if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
  }
}

function killGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}
