/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMillis`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMillis = 15_000, intervalMillis = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMillis));
  }
}

/** Resolves when `url` answers with a 2xx status. */
export function waitForHttp(url: string, timeoutMillis = 20_000): Promise<true> {
  return waitFor(
    async () => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return response.ok;
    },
    { timeoutMillis, what: url },
  );
}
