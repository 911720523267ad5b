/**
 * A canonical text of request values: JSON with object keys sorted, so two
 * requests that say the same thing hash the same whatever order their code
 * built the objects in. Values JSON would drop (functions, symbols,
 * `undefined`) are dropped; `toJSON` is honoured (dates); bigints are written
 * as numbers; cycles and nesting beyond 64 levels are cut, never thrown on.
 *
 * The text is written straight into a byte sink (the fingerprint's hash
 * buffer), never built as a string: a short chat call's fingerprint made
 * ~2 KB of garbage in part arrays, a `Set` and joined strings per value, and
 * with spans exported that garbage cost more CPU in collections than the
 * hashing itself (in-process overhead bench).
 */

const MAX_DEPTH = 64;

/** Where the canonical text goes, as UTF-8. */
export interface CanonicalSink {
  /** Appends one ASCII byte. */
  byte(code: number): void;
  /** Appends `text` as UTF-8; returns its byte length. */
  text(text: string): number;
}

/** Characters JSON.stringify escapes in a string (quote, backslash, controls, lone surrogates; pairs take the slow path too). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

const QUOTE = 0x22;

/** The objects being written, outermost first: a value met again inside itself is a cycle. */
const ancestors: object[] = [];

/** Appends the canonical text of `value` to `out`. */
export function writeCanonical(value: unknown, out: CanonicalSink): void {
  const base = ancestors.length;
  try {
    write(value, out, 0, base);
  } finally {
    // Only after a throw (a toJSON): setting the length every time would trim the array and reallocate it on the next push.
    if (ancestors.length !== base) ancestors.length = base;
  }
}

function write(value: unknown, out: CanonicalSink, depth: number, base: number): void {
  switch (typeof value) {
    case 'string':
      writeString(value, out);
      return;
    case 'number':
      out.text(Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'boolean':
      out.text(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.text(value.toString());
      return;
    case 'object':
      break;
    default:
      out.text('null');
      return;
  }
  if (value === null || depth >= MAX_DEPTH || ancestors.indexOf(value, base) >= 0) {
    out.text('null');
    return;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    write(toJSON.call(value), out, depth + 1, base);
    return;
  }
  ancestors.push(value);
  if (Array.isArray(value)) {
    out.byte(0x5b); // [
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.byte(0x2c); // ,
      write(value[i], out, depth + 1, base);
    }
    out.byte(0x5d); // ]
  } else if (ArrayBuffer.isView(value)) {
    // Binary content (an image, audio) counts by its bytes.
    writeString(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), out);
  } else {
    const record = value as Record<string, unknown>;
    const keys = sortKeys(Object.keys(record));
    out.byte(0x7b); // {
    let first = true;
    for (const key of keys) {
      const inner = record[key];
      if (inner === undefined || typeof inner === 'function' || typeof inner === 'symbol') continue;
      if (!first) out.byte(0x2c);
      first = false;
      writeString(key, out);
      out.byte(0x3a); // :
      write(inner, out, depth + 1, base);
    }
    out.byte(0x7d); // }
  }
  ancestors.pop();
}

/**
 * Sorts in place by UTF-16 code units, as `Array.prototype.sort` does strings:
 * insertion sort, as objects in a prompt have a few keys and the built-in
 * sort allocated ~400 bytes of work space per object (many keys: the built-in).
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** A JSON string: quoted as is when nothing in it needs escaping (no copy), else as JSON.stringify writes it. */
function writeString(text: string, out: CanonicalSink): void {
  if (text.length <= SHORT_STRING ? needsEscape(text) : NEEDS_ESCAPE.test(text)) {
    out.text(JSON.stringify(text));
    return;
  }
  out.byte(QUOTE);
  out.text(text);
  out.byte(QUOTE);
}

/** Strings up to this length are scanned here: a regular expression test costs more than the loop for keys, roles and names. */
const SHORT_STRING = 32;

/** `NEEDS_ESCAPE.test(text)`, as a loop. */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === QUOTE || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

/** Collects the text in a string (tests, and byte counts that need the text itself). */
class StringSink implements CanonicalSink {
  parts: string[] = [];
  byte(code: number): void {
    this.parts.push(String.fromCharCode(code));
  }
  text(text: string): number {
    this.parts.push(text);
    return Buffer.byteLength(text);
  }
}

/** The canonical text of `value`. */
export function canonicalJson(value: unknown): string {
  const sink = new StringSink();
  writeCanonical(value, sink);
  return sink.parts.join('');
}
