/**
 * What an attribution value taken from outside the process (a request header,
 * an OTel baggage entry) may hold: attribution values become metric labels,
 * so a client must not be able to send unbounded or garbage values.
 */

/** Default maximum length of an attribution value from a header or baggage. */
export const MAX_ATTRIBUTION_VALUE_LENGTH = 128;

/**
 * Default charset: letters, digits and `_ . : @ + / = -`, with inner spaces
 * (`Search Team`); no quotes, commas, control or non-ASCII characters.
 */
export const ATTRIBUTION_VALUE_PATTERN = /^[\w.:@+/=-](?:[\w .:@+/=-]*[\w.:@+/=-])?$/;

/** Returns the trimmed value when it is acceptable, otherwise `undefined`. */
export function acceptAttributionValue(
  value: unknown,
  maxLength: number = MAX_ATTRIBUTION_VALUE_LENGTH,
  pattern: RegExp = ATTRIBUTION_VALUE_PATTERN,
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > maxLength || !pattern.test(trimmed)) return undefined;
  return trimmed;
}
