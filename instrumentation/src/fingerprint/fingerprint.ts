/**
 * The prompt fingerprint (`PromptFingerprint` in protocol.ts): keyed hashes
 * (HMAC-SHA-256, first 128 bits, hex) of a request's stable prefix and of the
 * whole request, the prefix's share of the input tokens, the output cap and
 * the finish reason. Computed from what a patch captured, never sent as text.
 */
import { createHmac } from 'node:crypto';
import type { PromptFingerprint } from '../protocol.js';
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

/** Hex of the first 128 bits of HMAC-SHA-256 over `parts`, domain-separated by `label`; each part ends with a separator. */
function keyedHash(key: Buffer, label: string, parts: readonly Buffer[]): string {
  const hmac = createHmac('sha256', key).update(label).update('\n');
  for (const part of parts) hmac.update(part).update('\n');
  return hmac.digest().subarray(0, 16).toString('hex');
}

/** The canonical text of each item (canonical JSON has no raw newline: items are separated by one). */
function itemBytes(items: readonly unknown[]): Buffer[] {
  return items.map((item) => Buffer.from(canonicalJson(item), 'utf8'));
}

function byteLength(buffers: readonly Buffer[]): number {
  let n = 0;
  for (const buffer of buffers) n += buffer.length;
  return n;
}

/**
 * The fingerprint of a request. `inputTokens` is all of the call's input
 * (cached included): the prefix gets its share by bytes of the items'
 * canonical text. The request hash covers the parameters, then every item
 * of the prompt in order.
 */
export function computeFingerprint(parts: PromptParts, key: Buffer, inputTokens: number, maxOutputTokens?: number, finishReason?: string): PromptFingerprint {
  const prefix = itemBytes(parts.prefix);
  const rest = itemBytes(parts.rest);
  const parameters = Buffer.from(canonicalJson(parts.parameters), 'utf8');
  const prefixBytes = byteLength(prefix);
  const promptBytes = prefixBytes + byteLength(rest);
  const fingerprint: PromptFingerprint = {
    prefix_hash: keyedHash(key, 'prefix', prefix),
    request_hash: keyedHash(key, 'request', [parameters, ...prefix, ...rest]),
    prefix_tokens: promptBytes === 0 ? 0 : Math.round((inputTokens * prefixBytes) / promptBytes),
  };
  if (maxOutputTokens !== undefined) fingerprint.max_output_tokens = maxOutputTokens;
  if (finishReason !== undefined) fingerprint.finish_reason = finishReason;
  return fingerprint;
}
