/**
 * Attribution from HTTP request headers, for any framework: the Express
 * middleware is built on it. Values are validated (length, charset) so a
 * client cannot explode metric cardinality or inject garbage; an invalid
 * value is ignored with a debug log.
 */
import { diag } from '@opentelemetry/api';
import type { Attribution } from '../protocol.js';
import { acceptAttributionValue, ATTRIBUTION_VALUE_PATTERN, MAX_ATTRIBUTION_VALUE_LENGTH } from './validate.js';

/** Header names read by default, per attribution field (lower case). */
export const DEFAULT_ATTRIBUTION_HEADERS: Readonly<Record<keyof Attribution, string>> = {
  org: 'x-tokenmeter-org',
  department: 'x-tokenmeter-department',
  feature: 'x-tokenmeter-feature',
  user: 'x-tokenmeter-user',
  investigation: 'x-tokenmeter-investigation',
  session: 'x-tokenmeter-session',
  project: 'x-tokenmeter-project',
};

export interface HeaderAttributionOptions {
  /**
   * Header name per field, merged over `DEFAULT_ATTRIBUTION_HEADERS`; `false`
   * for a field stops reading it (e.g. `{ user: false }` when the user must
   * come from authentication only). `false` for the whole option reads no header.
   */
  headers?: Partial<Record<keyof Attribution, string | false>> | false;
  /** Longest accepted value (default 128). */
  maxValueLength?: number;
  /** Accepted values (default: letters, digits, `_ . : @ + / = -` and inner spaces). */
  valuePattern?: RegExp;
}

/** Incoming headers as Node's `http` gives them (lower-case names). */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** Prepared reader of attribution headers (compile once, call per request). */
export type HeaderAttributionReader = (headers: IncomingHeaders) => Attribution;

/** Builds a reader of attribution headers with `options`. */
export function attributionFromHeaders(options: HeaderAttributionOptions = {}): HeaderAttributionReader {
  const names = resolveHeaderNames(options.headers);
  const maxLength = options.maxValueLength ?? MAX_ATTRIBUTION_VALUE_LENGTH;
  const pattern = options.valuePattern ?? ATTRIBUTION_VALUE_PATTERN;
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`maxValueLength must be a positive integer, got ${String(maxLength)}`);
  return (headers) => {
    const out: Attribution = {};
    for (const [field, name] of names) {
      const raw = headers[name];
      if (raw === undefined) continue;
      // A repeated header is ambiguous: take none of it rather than guess.
      const value = Array.isArray(raw) ? undefined : acceptAttributionValue(raw, maxLength, pattern);
      if (value === undefined) diag.debug(`tokenmeter: ignored an invalid ${name} header value`);
      else out[field] = value;
    }
    return out;
  };
}

function resolveHeaderNames(headers: HeaderAttributionOptions['headers']): Array<[keyof Attribution, string]> {
  if (headers === false) return [];
  const merged: Partial<Record<keyof Attribution, string | false>> = { ...DEFAULT_ATTRIBUTION_HEADERS, ...headers };
  const out: Array<[keyof Attribution, string]> = [];
  for (const [field, name] of Object.entries(merged) as Array<[keyof Attribution, string | false | undefined]>) {
    if (!(field in DEFAULT_ATTRIBUTION_HEADERS)) throw new TypeError(`unknown attribution field "${field}" in headers (allowed: ${Object.keys(DEFAULT_ATTRIBUTION_HEADERS).join(', ')})`);
    if (name === false || name === undefined) continue;
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name)) throw new TypeError(`headers.${field} must be an HTTP header name or false, got ${JSON.stringify(name)}`);
    out.push([field, name.toLowerCase()]);
  }
  return out;
}
