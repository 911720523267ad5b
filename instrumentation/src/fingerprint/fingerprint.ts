/**
 * The prompt fingerprint (`PromptFingerprint` in protocol.ts): keyed hashes
 * (HMAC-SHA-256, first 128 bits, hex) of a request's stable prefix and of the
 * whole request, the prefix's share of the input tokens, the output cap and
 * the finish reason. Computed from what a patch captured, never sent as text.
 */
import { createHash, hash } from 'node:crypto';
import { USAGE_LIMITS, type PromptFingerprint } from '../protocol.js';
import { writeCanonical, type CanonicalSink } from './canonical.js';
import { deriveFingerprintKey } from './key.js';
import { SHA256_IV, sha256Blocks, sha256Digest, sha256Pad } from './sha256.js';

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

/** Scratch memory kept between fingerprints up to this size (a larger prompt gets its own buffer, dropped after). */
const KEPT_SCRATCH_BYTES = 64 * 1024;
/** Messages up to this size are hashed in JavaScript (`sha256.ts`), longer ones by OpenSSL (the faster beyond ~350 bytes on the bench machine). */
const JS_HASH_MAX_BYTES = 256;
/** Strings up to this length are copied byte by byte when ASCII (see `text`). */
const SHORT_TEXT = 32;

/**
 * HMAC-SHA-256 (exactly RFC 2104): the inner message is written after the
 * key's inner pad in one scratch buffer, the outer hash is over the outer pad
 * and the inner digest. No `Hash` object per message: creating, copying,
 * digesting and collecting four of those (native objects) per call were most
 * of the ~20 µs of CPU a short chat call's fingerprint added in the
 * in-process overhead bench. Short messages start from the pads' precomputed
 * hash states (one block less each) and are compressed in JavaScript; the
 * inner hash of a long one goes to `crypto.hash` in one call, and its outer
 * hash (one block) stays here. With both, tokenmeter's added CPU per
 * call went from 29.7 to 17.5 µs in one run of `npm run bench`.
 */
class KeyedHasher implements CanonicalSink {
  /** The last MAC (`finish`), kept here: no buffer per hash. */
  readonly mac = Buffer.alloc(32);
  private readonly _ipad = Buffer.alloc(64);
  private readonly _opad = Buffer.alloc(64);
  /** The hash states after the inner and the outer pad. */
  private readonly _innerState = Uint32Array.from(SHA256_IV);
  private readonly _outerState = Uint32Array.from(SHA256_IV);
  private readonly _state = new Uint32Array(8);
  /** The outer message's last block: the inner digest, then padding for 96 bytes in all. */
  private readonly _outerBlock = new Uint8Array(64);
  private _scratch = Buffer.alloc(4096);
  private _pos = 64;

  constructor(key: Buffer) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash('sha256').update(key).digest() : key).copy(block);
    for (let i = 0; i < 64; i++) {
      this._ipad[i] = block[i]! ^ 0x36;
      this._opad[i] = block[i]! ^ 0x5c;
    }
    sha256Blocks(this._innerState, this._ipad, 0, 64);
    sha256Blocks(this._outerState, this._opad, 0, 64);
    sha256Pad(this._outerBlock, 32);
    // The padding above counts 32 bytes; the outer message is 96 (the pad's block first).
    this._outerBlock[62] = 0x03;
    this._outerBlock[63] = 0x00;
    this.start('prefix');
    this.emptyPrefixHash = this.finish();
    this.emptyPrefixMac = Buffer.from(this.mac);
  }

  /** The prefix hash and MAC of a request without a stable prefix (most of them): the same for every call. */
  readonly emptyPrefixHash: string;
  readonly emptyPrefixMac: Buffer;

  /** Starts a message with `label` and a newline. */
  start(label: string): void {
    this._pos = 64;
    this.text(label);
    this.text('\n');
  }

  /** Appends one byte. */
  byte(code: number): void {
    this._ensure(1);
    this._scratch[this._pos++] = code;
  }

  /** Bytes written since `start` (the label included). */
  get length(): number {
    return this._pos - 64;
  }

  /** Appends `text` as UTF-8; returns its byte length. */
  text(text: string): number {
    const length = text.length;
    this._ensure(length * 3);
    if (length <= SHORT_TEXT) {
      // Keys, roles, model names, numbers: copied here, where `Buffer#write` costs a native call each (~0.1 µs).
      const scratch = this._scratch;
      const start = this._pos;
      let p = start;
      for (let i = 0; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code > 127) {
          p = -1;
          break;
        }
        scratch[p++] = code;
      }
      if (p >= 0) {
        this._pos = p;
        return length;
      }
    }
    const written = this._scratch.write(text, this._pos, 'utf8');
    this._pos += written;
    return written;
  }

  /** Appends raw bytes. */
  bytes(bytes: Buffer): void {
    this._ensure(bytes.length);
    bytes.copy(this._scratch, this._pos);
    this._pos += bytes.length;
  }

  /** Computes the HMAC of the message written since `start` into `mac`; returns its first 128 bits in hex. */
  finish(): string {
    const state = this._state;
    if (this._pos - 64 <= JS_HASH_MAX_BYTES) {
      this._ensure(72);
      state.set(this._innerState);
      sha256Blocks(state, this._scratch, 64, sha256Pad(this._scratch, this._pos));
      sha256Digest(state, this._outerBlock, 0);
    } else {
      this._ipad.copy(this._scratch, 0);
      const inner = hash('sha256', this._scratch.subarray(0, this._pos), 'buffer');
      if (this._scratch.length > KEPT_SCRATCH_BYTES) this._scratch = Buffer.alloc(4096);
      // The outer hash is one block from the outer pad's state, as for a short message.
      this._outerBlock.set(inner, 0);
    }
    state.set(this._outerState);
    sha256Blocks(state, this._outerBlock, 0, 64);
    sha256Digest(state, this.mac, 0);
    return this.mac.toString('hex', 0, 16);
  }

  private _ensure(size: number): void {
    const needed = this._pos + size;
    if (needed <= this._scratch.length) return;
    let length = this._scratch.length * 2;
    while (length < needed) length *= 2;
    const next = Buffer.allocUnsafe(length);
    this._scratch.copy(next, 0, 0, this._pos);
    this._scratch = next;
  }
}

const NEWLINE = 0x0a;

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
  let prefixBytes = 0;
  let prefixHash = keyed.emptyPrefixHash;
  let prefixMac = keyed.emptyPrefixMac;
  if (parts.prefix.length > 0) {
    keyed.start('prefix');
    const prefixStart = keyed.length;
    for (const item of parts.prefix) {
      writeCanonical(item, keyed);
      keyed.byte(NEWLINE);
    }
    // Each item's bytes without its newline.
    prefixBytes = keyed.length - prefixStart - parts.prefix.length;
    prefixHash = keyed.finish();
    prefixMac = keyed.mac;
  }
  // The request hash covers the prefix through its MAC (hashing its bytes once), then the rest.
  keyed.start('request');
  writeCanonical(parts.parameters, keyed);
  keyed.byte(NEWLINE);
  keyed.bytes(prefixMac);
  keyed.byte(NEWLINE);
  const restStart = keyed.length;
  for (const item of parts.rest) {
    writeCanonical(item, keyed);
    keyed.byte(NEWLINE);
  }
  const restBytes = keyed.length - restStart - parts.rest.length;
  const requestHash = keyed.finish();
  const promptBytes = prefixBytes + restBytes;
  const fingerprint: PromptFingerprint = {
    prefix_hash: prefixHash,
    request_hash: requestHash,
    prefix_tokens: promptBytes === 0 ? 0 : Math.round((inputTokens * prefixBytes) / promptBytes),
  };
  // Only values the ledger can take (a request with max_tokens 0 fails at the provider; its record must still be stored).
  if (maxOutputTokens !== undefined && Number.isInteger(maxOutputTokens) && maxOutputTokens > 0 && maxOutputTokens <= USAGE_LIMITS.maxTokensPerType) {
    fingerprint.max_output_tokens = maxOutputTokens;
  }
  if (finishReason !== undefined && finishReason !== '') fingerprint.finish_reason = finishReason.slice(0, USAGE_LIMITS.maxFinishReasonChars);
  return fingerprint;
}
