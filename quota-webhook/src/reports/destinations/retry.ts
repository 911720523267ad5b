/** Retries with exponential back-off and jitter, for the webhook and email destinations. */
import { DeliveryError, type Sleep } from './types.js';

export interface RetryOptions {
  attempts: number;
  /** Delay before the second attempt; doubled each time, times a jitter factor in [0.5, 1.5). */
  backoffMillis: number;
  sleep: Sleep;
  random?: () => number;
}

/** An attempt's failure: `retry` says whether another attempt may succeed; `afterMillis` overrides the back-off (Retry-After). */
export class AttemptError extends Error {
  override name = 'AttemptError';
  constructor(
    message: string,
    readonly retry: boolean,
    readonly afterMillis?: number,
  ) {
    super(message);
  }
}

/** Delay before attempt `n + 1` (n ≥ 1). */
export function backoff(n: number, base: number, random: () => number): number {
  return Math.round(base * 2 ** (n - 1) * (0.5 + random()));
}

/** Runs `attempt(n)` until it resolves, a failure is final, or the attempts are spent (then a `DeliveryError`). */
export async function withRetries<T>(options: RetryOptions, attempt: (n: number) => Promise<T>): Promise<{ value: T; attempts: number }> {
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (error) {
      const retry = error instanceof AttemptError ? error.retry : true;
      const message = (error as Error).message;
      if (!retry || n >= options.attempts) throw new DeliveryError(`${message} (attempt ${n} of ${options.attempts}${retry ? '' : ', not retried'})`, n);
      const wait = error instanceof AttemptError && error.afterMillis !== undefined ? error.afterMillis : backoff(n, options.backoffMillis, random);
      await options.sleep(wait);
    }
  }
}
