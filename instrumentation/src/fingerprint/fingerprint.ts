/**
 * The prompt fingerprint (`PromptFingerprint` in protocol.ts): keyed hashes
 * (HMAC-SHA-256, first 128 bits, hex) of a request's stable prefix and of the
 * whole request, the prefix's share of the input tokens, the output cap and
 * the finish reason. Computed from what a patch captured, never sent as text.
 */
import { createHash, type Hash } from 'node:crypto';
import { USAGE_LIMITS, type PromptFingerprint } from '../protocol.js';
import { canonicalJson } from './canonical.js';
import { deriveFingerprintKey } from './key.js';

/** A request cut along the provider's caching rule (see each SDK's `fingerprint.ts`). */
export interface PromptParts {
  /** The stable prefix, item by item in prompt order (tools, system prompt, leading messages); empty when there is none. */
  prefix: readonly unknown[];
  /** The rest of the prompt, item by item. */
  rest: readonly unknown[];
  /** The other request fields that shape the answer (model, sampling, output format, …). */
  parameters: Record<string, unknown>;
}

/** Builds the parts from what a patch captured at the call; runs later, off the caller's path. */
export type PromptCapture = () => PromptParts;

let enabled = true;
let key: Buffer | undefined;

/** Turns fingerprints on or off and sets the key (`startTokenmeter` does this from the environment). */
export function configureFingerprints(options: { enabled: boolean; key?: Buffer }): void {
  enabled = options.enabled;
  if (options.key !== undefined) key = options.key;
}

/** Whether patches capture prompts for fingerprints. */
export function fingerprintsEnabled(): boolean {
  return enabled;
}

/** The key in use (a random one until configured); a call's fingerprint uses the key in force when the call ended. */
export function fingerprintKey(): Buffer {
  key ??= deriveFingerprintKey({}).key;
  return key;
}

/**
 * HMAC-SHA-256 with the key's inner and outer pads hashed once: each message
 * then costs two hash-state copies instead of a new HMAC context (whose set-up
 * costs more than hashing a few KB). Exactly RFC 2104 HMAC.
 */
class KeyedHasher {
  private readonly _inner: Hash;
  private readonly _outer: Hash;

  constructor(key: Buffer) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash('sha256').update(key).digest() : key).copy(block);
    const ipad = Buffer.alloc(64);
    const opad = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) {
      ipad[i] = block[i]! ^ 0x36;
      opad[i] = block[i]! ^ 0x5c;
    }
    this._inner = createHash('sha256').update(ipad);
    this._outer = createHash('sha256').update(opad);
  }

  /** A running inner hash; `finish` turns it into the HMAC. */
  start(label: string): Hash {
    return this._inner.copy().update(label).update('\n');
  }

  /** The HMAC (32 bytes). */
  finish(inner: Hash): Buffer {
    return this._outer.copy().update(inner.digest()).digest();
  }
}

let hasher: { key: Buffer; hasher: KeyedHasher } | undefined;

function hasherFor(key: Buffer): KeyedHasher {
  if (hasher?.key !== key) hasher = { key, hasher: new KeyedHasher(key) };
  return hasher.hasher;
}

/**
 * The fingerprint of a request. `inputTokens` is all of the call's input
 * (cached included): the prefix gets its share by bytes of the items'
 * canonical text. Each hash is HMAC-SHA-256 (first 128 bits, hex): the
 * prefix hash over `prefix\n` and each prefix item's canonical JSON followed
 * by `\n`; the request hash over `request\n`, the parameters' canonical JSON,
 * `\n`, the prefix's full 32-byte MAC, `\n`, then each other item and `\n`.
 */
export function computeFingerprint(parts: PromptParts, key: Buffer, inputTokens: number, maxOutputTokens?: number, finishReason?: string): PromptFingerprint {
  const keyed = hasherFor(key);
  // Items are separated by a newline, which canonical JSON never contains.
  const prefixHash = keyed.start('prefix');
  let prefixBytes = 0;
  for (const item of parts.prefix) {
    const text = canonicalJson(item);
    prefixBytes += Buffer.byteLength(text);
    prefixHash.update(text).update('\n');
  }
  const prefixMac = keyed.finish(prefixHash);
  // The request hash covers the prefix through its MAC (hashing its bytes once), then the rest.
  const requestHash = keyed.start('request').update(canonicalJson(parts.parameters)).update('\n').update(prefixMac).update('\n');
  let restBytes = 0;
  for (const item of parts.rest) {
    const text = canonicalJson(item);
    restBytes += Buffer.byteLength(text);
    requestHash.update(text).update('\n');
  }
  const promptBytes = prefixBytes + restBytes;
  const fingerprint: PromptFingerprint = {
    prefix_hash: prefixMac.subarray(0, 16).toString('hex'),
    request_hash: keyed.finish(requestHash).subarray(0, 16).toString('hex'),
    prefix_tokens: promptBytes === 0 ? 0 : Math.round((inputTokens * prefixBytes) / promptBytes),
  };
  // Only values the ledger can take (a request with max_tokens 0 fails at the provider; its record must still be stored).
  if (maxOutputTokens !== undefined && Number.isInteger(maxOutputTokens) && maxOutputTokens > 0 && maxOutputTokens <= USAGE_LIMITS.maxTokensPerType) {
    fingerprint.max_output_tokens = maxOutputTokens;
  }
  if (finishReason !== undefined && finishReason !== '') fingerprint.finish_reason = finishReason.slice(0, 64);
  return fingerprint;
}
