/**
 * A canonical text of request values: JSON with object keys sorted, so two
 * requests that say the same thing hash the same whatever order their code
 * built the objects in. Values JSON would drop (functions, symbols,
 * `undefined`) are dropped; `toJSON` is honoured (dates); bigints are written
 * as numbers; cycles and nesting beyond 64 levels are cut, never thrown on.
 */

const MAX_DEPTH = 64;

/** Appends the canonical text of `value` to `out` (one array of parts, joined once). */
export function canonicalParts(value: unknown, out: string[], depth = 0, seen: Set<object> = new Set()): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      out.push(Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(value.toString());
      return;
    case 'object':
      break;
    default:
      out.push('null');
      return;
  }
  if (value === null || depth >= MAX_DEPTH || seen.has(value)) {
    out.push('null');
    return;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    canonicalParts(toJSON.call(value), out, depth + 1, seen);
    return;
  }
  seen.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      canonicalParts(value[i], out, depth + 1, seen);
    }
    out.push(']');
  } else if (ArrayBuffer.isView(value)) {
    // Binary content (an image, audio) counts by its bytes.
    out.push(JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')));
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push('{');
    let first = true;
    for (const key of keys) {
      const inner = record[key];
      if (inner === undefined || typeof inner === 'function' || typeof inner === 'symbol') continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      canonicalParts(inner, out, depth + 1, seen);
    }
    out.push('}');
  }
  seen.delete(value);
}

/** The canonical text of `value`. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  canonicalParts(value, out);
  return out.join('');
}
