/**
 * Random span, trace and call ids as lowercase hex. The random bytes are
 * drawn 4 KiB at a time and turned into hex in one conversion; each id is a
 * slice of that text (V8 shares the characters). A `Buffer#toString('hex')`
 * per id cost ~0.3 µs, two per span (CPU profiles of `npm run bench`).
 */

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolHex = '';
/** The next unused byte of `pool` (its hex starts at twice this). */
let offset = POOL_BYTES;

/** `bytes` random bytes as `2 × bytes` hex digits; never all zeros (an invalid id in W3C trace context). */
export function randomHexId(bytes: 8 | 16): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      crypto.getRandomValues(pool); // the global Web Crypto: no node:crypto import at start-up
      poolHex = pool.toString('hex');
      offset = 0;
    }
    const start = offset;
    offset += bytes;
    // Checked on the bytes: the first is not zero 255 times in 256.
    for (let i = start; i < offset; i++) if (pool[i] !== 0) return poolHex.slice(2 * start, 2 * offset);
  }
}
