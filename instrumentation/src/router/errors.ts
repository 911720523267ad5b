/** Thrown when no provider could answer a routed call. */
import type { Attempt } from './types.js';

export class AllProvidersFailedError extends Error {
  override readonly name = 'AllProvidersFailedError';
  readonly code = 'all_providers_failed';
  /** 429 when every provider was rate-limited, refused or over its limit; 503 otherwise. */
  readonly status: number;
  /** What happened to each provider, in order. */
  readonly attempts: Attempt[];

  constructor(attempts: Attempt[], cause?: unknown) {
    const summary = attempts.map((attempt) => `${attempt.provider}: ${attempt.outcome}${attempt.reason === undefined ? '' : ` (${attempt.reason})`}`).join(', ');
    super(`tokenmeter: no provider could answer${summary === '' ? ' (no provider configured for this organisation)' : `: ${summary}`}`, cause === undefined ? undefined : { cause });
    this.attempts = attempts;
    const limited = attempts.length > 0 && attempts.every((attempt) => attempt.reason === 'rate_limited' || attempt.reason === 'refused');
    this.status = limited ? 429 : 503;
  }
}
