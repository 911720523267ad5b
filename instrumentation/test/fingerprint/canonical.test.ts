import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/fingerprint/canonical.js';
import { drainAfterCall } from '../../src/core/after-call.js';
import { PendingFingerprint, deferFingerprint } from '../../src/fingerprint/pending.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth, so the same content in another key order is the same text', () => {
    expect(canonicalJson({ role: 'user', content: [{ type: 'text', text: 'hi' }] })).toBe(canonicalJson({ content: [{ text: 'hi', type: 'text' }], role: 'user' }));
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });

  it('drops what JSON drops, honours toJSON, writes bigints and binary content, never throws on cycles or depth', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(canonicalJson({ u: undefined, f: () => 1, s: Symbol('x'), n: Number.NaN, d: new Date(0), big: 12n })).toBe('{"big":12,"d":"1970-01-01T00:00:00.000Z","n":null}');
    expect(canonicalJson(cyclic)).toBe('{"a":1,"self":null}');
    expect(canonicalJson(new Uint8Array([1, 2, 3]))).toBe('"AQID"');
    expect(canonicalJson(deep)).toMatch(/^\[+null\]+$/);
  });

  it('writes exactly what JSON.stringify with sorted keys writes: escapes, surrogates, many keys, non-ASCII keys', () => {
    // The reference: sorted-key copies, then the engine's own JSON.stringify.
    const sorted = (v: unknown): unknown => Array.isArray(v) ? v.map(sorted)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    const strings = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab\u0001\u001f', 'emoji 😀 pair', 'lone \ud800 high', 'lone \udc00 low', 'sep \u2028\u2029', 'del \u007f', 'é日本', ''];
    // Around the length where short strings are scanned by a loop rather than the regular expression, with the character that matters last.
    for (const length of [31, 32, 33]) for (const last of ['"', '\\', '\u0001', '\ud800', '\udc00', 'é', 'z']) strings.push('w'.repeat(length - 1) + last);
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7919) % 40}`, i]));
    const values: unknown[] = [...strings, { [strings[1]!]: strings[3], ä: 1, a: 2, Z: 3, '😀': 4, '\ud800': 5 }, many, { b: many, a: [strings, { y: 1, x: [] }] }];
    for (const value of values) expect(canonicalJson(value)).toBe(JSON.stringify(sorted(value)));
  });

  it('a toJSON that throws leaves nothing behind: the next value is written whole', () => {
    const shared = { x: 1 };
    const bad = { shared, inner: { toJSON: () => { throw new Error('no'); } } };
    expect(() => canonicalJson(bad)).toThrow('no');
    expect(canonicalJson({ again: shared, shared })).toBe('{"again":{"x":1},"shared":{"x":1}}');
  });
});

describe('PendingFingerprint', () => {
  it('computes once, in the deferred batch or on first read; a capture that throws yields no fingerprint, reports, and still settles', () => {
    const errors: unknown[] = [];
    let captured = 0;
    const ok = deferFingerprint(
      new PendingFingerprint(() => (captured++, { prefix: ['system'], rest: ['question'], parameters: { model: 'm' } }), 100, 10, 'stop', (e) => errors.push(e)),
    );
    const broken = deferFingerprint(
      new PendingFingerprint(() => { throw new Error('unreadable request'); }, 100, undefined, undefined, (e) => errors.push(e)),
    );
    const heard: unknown[] = [];
    broken.onSettled((value) => heard.push(value));
    expect(ok.settled).toBe(false);
    drainAfterCall();
    expect(ok.settled && broken.settled).toBe(true);
    expect(ok.value).toMatchObject({ prefix_tokens: 44, max_output_tokens: 10, finish_reason: 'stop' }); // 8 of 18 bytes
    expect(ok.value).toBe(ok.value);
    expect(captured).toBe(1);
    expect(broken.value).toBeUndefined();
    expect(heard).toEqual([undefined]);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify({ fingerprint: ok })).toContain('"prefix_tokens":44');
  });
});

describe('computeFingerprint', () => {
  it('is RFC 2104 HMAC-SHA-256 (first 128 bits, hex) over the documented input', async () => {
    const { createHmac } = await import('node:crypto');
    const { computeFingerprint } = await import('../../src/fingerprint/fingerprint.js');
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const parts = { prefix: [{ role: 'system', content: 'Be brief.' }], rest: ['question'], parameters: { model: 'm', temperature: 0 } };
    const mac = (...chunks: (string | Buffer)[]): Buffer => chunks.reduce((h, c) => h.update(c), createHmac('sha256', key)).digest();
    const system = '{"content":"Be brief.","role":"system"}';
    const prefixMac = mac(`prefix\n${system}\n`);
    expect(computeFingerprint(parts, key, 50)).toEqual({
      prefix_hash: prefixMac.subarray(0, 16).toString('hex'),
      request_hash: mac('request\n{"model":"m","temperature":0}\n', prefixMac, '\n"question"\n').subarray(0, 16).toString('hex'),
      prefix_tokens: Math.round((50 * system.length) / (system.length + '"question"'.length)),
    });
    // A key longer than the SHA-256 block is hashed first, as HMAC specifies.
    const long = Buffer.alloc(100, 7);
    expect(computeFingerprint(parts, long, 50).prefix_hash).toBe(createHmac('sha256', long).update(`prefix\n${system}\n`).digest().subarray(0, 16).toString('hex'));
  });

  it('hashes non-ASCII text as UTF-8, short messages (hashed in JavaScript) at every padding boundary and prompts larger than its scratch memory, one after another', async () => {
    const { createHmac } = await import('node:crypto');
    const { computeFingerprint } = await import('../../src/fingerprint/fingerprint.js');
    const key = Buffer.from('fedcba9876543210fedcba9876543210');
    const mac = (...chunks: (string | Buffer)[]): Buffer => chunks.reduce((h, c) => h.update(c), createHmac('sha256', key)).digest();
    for (const text of ['héllo wörld ✓ 😀', `${'w'.repeat(31)}é`, `${'w'.repeat(32)}é`, 'a', 'b'.repeat(150), 'c'.repeat(180), 'd'.repeat(300), 'x'.repeat(200_000), '日本語'.repeat(40_000), 'short again']) {
      const parts = { prefix: [text], rest: [{ role: 'user', content: text }], parameters: { model: 'm' } };
      const prefixText = JSON.stringify(text);
      const restText = `{"content":${JSON.stringify(text)},"role":"user"}`;
      const prefixMac = mac(`prefix\n${prefixText}\n`);
      const prefixBytes = Buffer.byteLength(prefixText);
      expect(computeFingerprint(parts, key, 1000)).toEqual({
        prefix_hash: prefixMac.subarray(0, 16).toString('hex'),
        request_hash: mac('request\n{"model":"m"}\n', prefixMac, `\n${restText}\n`).subarray(0, 16).toString('hex'),
        prefix_tokens: Math.round((1000 * prefixBytes) / (prefixBytes + Buffer.byteLength(restText))),
      });
    }
  });

  it('agrees with node:crypto HMAC for every message length around the SHA-256 block and padding boundaries', async () => {
    const { createHmac } = await import('node:crypto');
    const { computeFingerprint } = await import('../../src/fingerprint/fingerprint.js');
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    for (let length = 0; length <= 400; length++) {
      const text = 'y'.repeat(length);
      const expected = createHmac('sha256', key).update(`prefix\n${JSON.stringify(text)}\n`).digest().subarray(0, 16).toString('hex');
      expect(computeFingerprint({ prefix: [text], rest: [], parameters: {} }, key, 1).prefix_hash).toBe(expected);
    }
  });

  it('a request without a stable prefix hashes the empty prefix (kept per key) and agrees with node:crypto, before and after prefixed ones', async () => {
    const { createHmac } = await import('node:crypto');
    const { computeFingerprint } = await import('../../src/fingerprint/fingerprint.js');
    for (const key of [Buffer.from('0123456789abcdef0123456789abcdef'), Buffer.from('another key, another hasher!')]) {
      const mac = (...chunks: (string | Buffer)[]): Buffer => chunks.reduce((h, c) => h.update(c), createHmac('sha256', key)).digest();
      const empty = mac('prefix\n');
      const text = 'say "hi" \n 😀 \ud800';
      const restText = `{"content":${JSON.stringify(text)},"role":"user"}`;
      const expected = {
        prefix_hash: empty.subarray(0, 16).toString('hex'),
        request_hash: mac('request\n{"model":"m"}\n', empty, `\n${restText}\n`).subarray(0, 16).toString('hex'),
        prefix_tokens: 0,
      };
      const plain = { prefix: [], rest: [{ role: 'user', content: text }], parameters: { model: 'm' } };
      expect(computeFingerprint(plain, key, 10)).toEqual(expected);
      computeFingerprint({ prefix: ['a system prompt'], rest: [], parameters: {} }, key, 10);
      expect(computeFingerprint(plain, key, 10)).toEqual(expected);
    }
  });
});
