/**
 * Who hears that an SDK module was patched: the register hook starts the SDK
 * then (before the first call, only in processes that use an LLM SDK). A
 * module of its own so that the hook can set it without loading the patches.
 */
let listener: (() => void) | undefined;

/** Sets (or clears) the listener. */
export function onModulePatched(next: (() => void) | undefined): void {
  listener = next;
}

/** Tells the listener, if any. */
export function modulePatched(): void {
  listener?.();
}
