/** Starts contender processes and talks to them over IPC. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processOptions } from './contenders.js';

const CONTENDER = fileURLToPath(new URL('contender.js', import.meta.url));

/**
 * A contender's process in `mode`; `next()` resolves with its next message, `exited` when it ends.
 * `wrapper`: a command that runs node, e.g. `['valgrind', '--tool=cachegrind']` (node and its flags follow it);
 * `nodeArgs`: more node flags (e.g. `--predictable`).
 */
export function startContender(contender, mode, sink, extraEnv = {}, wrapper = [], nodeArgs = []) {
  const options = processOptions(contender, sink);
  const child = fork(CONTENDER, [contender.name, mode], {
    ...(wrapper.length > 0 ? { execPath: wrapper[0] } : {}),
    // A replay is profiled whole (start-up included, as it is measured); rounds profile themselves (contender.js).
    // BENCH_NODE_ARGS: extra node flags for the contenders (e.g. `--no-turbo-inlining` so a profile names the function that spends the time).
    execArgv: [...wrapper.slice(1), ...(wrapper.length > 0 ? [process.execPath] : []), ...nodeArgs, ...options.execArgv, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(process.env.BENCH_CPU_PROF && mode === 'replay' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${contender.name}-${mode}-${Date.now()}.cpuprofile`] : [])],
    env: { ...options.env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = [];
  const queued = [];
  child.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else queued.push(message);
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.on('exit', (code) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${contender.name} exited (${code}) before answering`));
  });
  return {
    contender,
    child,
    exited,
    send: (message) => child.send(message),
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()) : new Promise((resolve, reject) => waiters.push({ resolve, reject }))),
  };
}

/** Asks each contender process to exit, waits for them (10 s at most), then kills what is left. */
export async function stopContenders(running) {
  for (const p of running) if (p.child.connected) p.send({ type: 'exit' });
  await Promise.race([Promise.all(running.map((p) => p.exited)), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  for (const p of running) p.child.kill();
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const us = (nanos) => (nanos / 1000).toFixed(2);
