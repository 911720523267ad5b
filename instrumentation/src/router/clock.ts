/**
 * Time as the router sees it: a monotonic `now()` for cool-downs and attempt
 * durations, and timers for attempt timeouts. The default is the process's
 * own; a test passes a clock it advances by hand, so cool-downs and timeouts
 * need no real waiting.
 */
export interface RouterClock {
  /** Milliseconds on a monotonic scale (only differences are used). */
  now(): number;
  /** Runs `fn` once after `millis`; returns the cancellation. */
  setTimer(fn: () => void, millis: number): () => void;
}

/** `performance.now()` and `setTimeout`. */
export const systemClock: RouterClock = {
  now: () => performance.now(),
  setTimer(fn, millis) {
    const timer = setTimeout(fn, millis);
    return () => clearTimeout(timer);
  },
};
