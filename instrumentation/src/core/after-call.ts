/**
 * What a finished call leaves for later, off the caller's path: its prompt
 * fingerprint and the end of its span (end attributes set, the span encoded
 * for export). Tasks run in batches: once `AFTER_CALL_BATCH` wait (on the
 * next `setImmediate`) or `AFTER_CALL_DELAY_MS` after the first of them.
 *
 * With one call per event-loop turn (the in-process bench, and any service
 * whose calls are not simultaneous), a task per call ran this code cold each
 * time: a batch per call cost 3–5 µs more per call with spans than batches of
 * 32 ("Seventh round" in the README), and ending spans at once with the
 * fingerprint off 5–11 µs more than in batches (three runs, "Ninth round").
 */

/** One piece of after-call work; it reports its own errors (`run` does not throw). */
export interface AfterCallTask {
  run(): void;
}

/** Tasks run together (on the next `setImmediate`) once this many wait. */
export const AFTER_CALL_BATCH = 32;
/** The longest a task waits for its batch to fill: a span ends and a captured request is released at most this late. */
export const AFTER_CALL_DELAY_MS = 20;

let queue: AfterCallTask[] = [];
let timer: NodeJS.Timeout | undefined;
let immediate: NodeJS.Immediate | undefined;

/** Queues `task` for its batch. */
export function deferAfterCall(task: AfterCallTask): void {
  queue.push(task);
  if (queue.length >= AFTER_CALL_BATCH) immediate ??= setImmediate(drainAfterCall);
  else if (timer === undefined) timer = setTimeout(drainAfterCall, AFTER_CALL_DELAY_MS).unref();
}

/** Runs every queued task now (the batch; also run before a flush and at exit). */
export function drainAfterCall(): void {
  if (timer !== undefined) clearTimeout(timer);
  if (immediate !== undefined) clearImmediate(immediate);
  timer = undefined;
  immediate = undefined;
  const batch = queue;
  queue = [];
  for (const task of batch) task.run();
}
