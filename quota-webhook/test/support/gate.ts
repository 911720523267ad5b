/**
 * Slow work stood in for without timing: a function held on a gate the test opens by hand
 * (the background month-end forecast and anomaly detection of /metrics).
 */

/** A promise to open by hand. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export interface Gated<F> {
  /** `fn` behind the gate: each call is recorded, then waits until the gate of the moment is open. */
  fn: F;
  /** `label(...args)` of every call, in order. */
  entered: string[];
  /** Resolves at the first call. */
  firstEntry: Promise<void>;
  /** Opens the gate of the moment (the calls waiting, and every later one until `close()`). */
  open(): void;
  /** A new, closed gate for the calls from now on. */
  close(): void;
}

/** `fn` behind a gate, its calls recorded as `label(...args)`. */
export function gated<A extends unknown[], R>(fn: (...args: A) => Promise<R>, label: (...args: A) => string): Gated<(...args: A) => Promise<R>> {
  let current = gate();
  const entry = gate();
  const entered: string[] = [];
  return {
    entered,
    firstEntry: entry.promise,
    fn: async (...args: A) => {
      entered.push(label(...args));
      entry.open();
      await current.promise;
      return fn(...args);
    },
    open: () => current.open(),
    close: () => {
      current = gate();
    },
  };
}
