/**
 * Worker threads. With the hook in `NODE_OPTIONS` every worker runs it too;
 * a worker's SDK opens no metrics endpoint (the port is the main thread's)
 * and exports no metrics itself: it posts each finished call to the main
 * thread, whose metrics count it. Its usage records and spans it delivers
 * itself. On SIGTERM/SIGINT the main thread asks every worker SDK to flush
 * and waits for their answers (within its own flush timeout).
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import type { CallSink, FinishedCall } from '../core/hooks.js';

const CALLS = 'tokenmeter:finished-calls';
const CONTROL = 'tokenmeter:control';

type ControlMessage = { type: 'hello' | 'bye'; thread: number } | { type: 'flush'; id: number } | { type: 'flushed'; id: number; thread: number };

export { isMainThread };

// --- main thread ------------------------------------------------------------

let receiver: BroadcastChannel | undefined;
let onWorkerCall: ((call: FinishedCall) => void) | undefined;
let control: BroadcastChannel | undefined;
const liveWorkers = new Set<number>();
const flushWaiters = new Map<number, { pending: Set<number>; done: () => void }>();
let nextFlushId = 1;

/** Main thread: hands every call a worker posts to `handler` (replacing the previous handler; undefined: ignore them). */
export function receiveWorkerCalls(handler: ((call: FinishedCall) => void) | undefined): void {
  onWorkerCall = handler;
  if (receiver !== undefined || handler === undefined) return;
  receiver = new BroadcastChannel(CALLS);
  receiver.unref(); // listening must not keep the process alive
  receiver.onmessage = (event) => onWorkerCall?.((event as { data: FinishedCall }).data);
  control = new BroadcastChannel(CONTROL);
  control.unref();
  control.onmessage = (event) => {
    const message = (event as { data: ControlMessage }).data;
    if (message.type === 'hello') liveWorkers.add(message.thread);
    else if (message.type === 'bye') liveWorkers.delete(message.thread);
    else if (message.type === 'flushed') {
      const waiter = flushWaiters.get(message.id);
      waiter?.pending.delete(message.thread);
      if (waiter !== undefined && waiter.pending.size === 0) waiter.done();
    }
  };
}

/** Main thread: the handler in force (the register hook's start-up handler until the SDK installs its own). */
export function workerCallHandler(): ((call: FinishedCall) => void) | undefined {
  return onWorkerCall;
}

/** Main thread: asks every live worker SDK to flush; resolves when all answered (the caller bounds the wait). */
export function flushWorkers(): Promise<void> {
  if (control === undefined || liveWorkers.size === 0) return Promise.resolve();
  const id = nextFlushId++;
  const channel = control;
  return new Promise((resolve) => {
    flushWaiters.set(id, {
      pending: new Set(liveWorkers),
      done: () => {
        flushWaiters.delete(id);
        resolve();
      },
    });
    channel.postMessage({ type: 'flush', id } satisfies ControlMessage);
  });
}

// --- worker thread ----------------------------------------------------------

/** Worker: a sink posting each finished call to the main thread, and the answer to its flush requests. */
export function forwardToMainThread(flush: () => Promise<void>): { sink: CallSink; close(): void } {
  const calls = new BroadcastChannel(CALLS);
  const channel = new BroadcastChannel(CONTROL);
  calls.unref();
  channel.unref();
  channel.onmessage = (event) => {
    const message = (event as { data: ControlMessage }).data;
    if (message.type !== 'flush') return;
    void flush().finally(() => channel.postMessage({ type: 'flushed', id: message.id, thread: threadId } satisfies ControlMessage));
  };
  channel.postMessage({ type: 'hello', thread: threadId } satisfies ControlMessage);
  return {
    sink: (call) => {
      // The fingerprint (computed here, with its captured request) stays in this thread.
      const { fingerprint: _fingerprint, ...plain } = call;
      calls.postMessage(plain);
    },
    close: () => {
      channel.postMessage({ type: 'bye', thread: threadId } satisfies ControlMessage);
      channel.close();
      calls.close();
    },
  };
}
