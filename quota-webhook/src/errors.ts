/** API errors in the contract's shape: `{"error":{"code","message","details":[{path,message}]}}`. */
import type { z } from 'zod';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  toJSON(): { error: { code: string; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** `records[3].tokens.input` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Every zod issue as a detail naming the field (unknown keys name the key itself). */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push({ path: formatPath(issue.path), message: issue.message });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

export function validationError(error: z.ZodError, what = 'request body'): ApiError {
  return invalidRequest(zodDetails(error), what);
}

/** One 400 for every bad field: `invalid <what>: <path>: <message> (and N more)`, each field in `details`. */
export function invalidRequest(details: ErrorDetail[], what = 'request body'): ApiError {
  const first = details[0];
  const summary = first ? `${first.path === '' ? what : first.path}: ${first.message}` : `invalid ${what}`;
  return new ApiError(400, 'invalid_request', `invalid ${what}: ${summary}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`, details);
}

/** A 400 for query parameters, worded like the schema's own (`invalid query: from: must be before to`). */
export function queryError(details: ErrorDetail[]): ApiError {
  return invalidRequest(details, 'query');
}

/** Parses with `schema` or throws a 400 naming every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw validationError(r.error, what);
  return r.data;
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, 'not_found', `${what} "${id}" not found`);
}
