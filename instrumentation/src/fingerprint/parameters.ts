/** The request fields that go into the request hash besides the prompt. */

/**
 * Fields that do not change what the model answers: transport (`stream`,
 * `stream_options`), bookkeeping and identity (`user`, `metadata`, `store`,
 * `safety_identifier`, `prompt_cache_key`, `prompt_cache_retention`,
 * `service_tier`, `background`). Two requests differing only here are the
 * same request.
 */
export const NOT_CONTENT: ReadonlySet<string> = new Set([
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'background',
]);

/** `body` without the prompt fields (hashed as prefix and rest) and without `NOT_CONTENT`. */
export function parametersOf(body: Record<string, unknown>, promptKeys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    if (!promptKeys.has(key) && !NOT_CONTENT.has(key)) out[key] = body[key];
  }
  return out;
}
