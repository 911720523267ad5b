/** Which failures of an attempt let the router try the next provider, and why. */
import { isRefusal } from '../control/errors.js';
import type { FallbackReason } from './types.js';

/** Provider failures that count against a provider's health (the circuit breaker). */
export const PROVIDER_FAILURES: ReadonlySet<FallbackReason> = new Set(['rate_limited', 'server_error', 'timeout', 'connection']);

/** Why a failed attempt may fall back, or undefined when it must not. */
export function classify(error: unknown): FallbackReason | undefined {
  if (isRefusal(error)) return 'refused';
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { constructor?: { name?: string } }).constructor?.name ?? (error as Error).name;
  if (name === 'APIConnectionTimeoutError' || (error as Error).name === 'TimeoutError') return 'timeout';
  const status = (error as { status?: unknown }).status;
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (typeof status === 'number' && status >= 500) return 'server_error';
  if (name === 'APIConnectionError') return 'connection';
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection';
  return undefined;
}
