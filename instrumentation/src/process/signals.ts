/**
 * Flushing buffered telemetry when the process is asked to stop (SIGTERM,
 * SIGINT), without changing how it stops. A listener for a signal turns off
 * Node's default action (exit), so:
 * - when ours is the only listener, the app relied on the default: flush
 *   (bounded by a timeout), then remove the listener and raise the signal
 *   again, so the process ends by that signal exactly as it would have;
 * - when the app listens too, it owns the exit: flush alongside, never
 *   exit for it (if it exits first, the flush is cut short — see README).
 * A second signal during the flush stops waiting.
 */

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Installs the listeners; returns their removal. `flush` must never reject. */
export function flushOnSignals(flush: () => Promise<void>, timeoutMillis: number): () => void {
  let flushing: Promise<void> | undefined;
  const listeners = new Map<NodeJS.Signals, () => void>();
  const remove = (): void => {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
    listeners.clear();
  };
  const reraise = (signal: NodeJS.Signals): void => {
    remove();
    // With no listener left, the default action applies: the process ends by this signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  for (const signal of SIGNALS) {
    const listener = (): void => {
      const appListens = process.listenerCount(signal) > 1;
      if (flushing !== undefined) {
        if (!appListens) reraise(signal);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      // This timer is not unref'd: it keeps the process until the signal is raised again.
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMillis)));
      flushing = Promise.race([flush(), timeout]).finally(() => clearTimeout(timer));
      if (!appListens) void flushing.then(() => reraise(signal));
    };
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
  return remove;
}
