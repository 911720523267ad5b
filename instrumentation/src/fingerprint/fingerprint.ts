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
  /** The stable prefix, in prompt order (tools, system prompt, leading messages). */
  prefix: unknown;
  /** The rest of the prompt. */
  rest: unknown;
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

/** The key in use (a random one until configured). */
function currentKey(): Buffer {
  key ??= deriveFingerprintKey({}).key;
  return key;
}

/** Hex of the first 128 bits of HMAC-SHA-256 over `parts`, domain-separated by `label`. */
function keyedHash(label: string, parts: readonly Buffer[]): string {
  const hmac = createHmac('sha256', currentKey()).update(label).update('\0');
  for (const part of parts) hmac.update(part).update('\0');
  return hmac.digest().subarray(0, 16).toString('hex');
}

/**
 * The fingerprint of a request. `inputTokens` is all of the call's input
 * (cached included): the prefix gets its share by bytes of the canonical text.
 */
export function computeFingerprint(parts: PromptParts, inputTokens: number, maxOutputTokens?: number, finishReason?: string): PromptFingerprint {
  const prefix = Buffer.from(canonicalJson(parts.prefix), 'utf8');
  const rest = Buffer.from(canonicalJson(parts.rest), 'utf8');
  const parameters = Buffer.from(canonicalJson(parts.parameters), 'utf8');
  const promptBytes = prefix.length + rest.length;
  const fingerprint: PromptFingerprint = {
    prefix_hash: keyedHash('prefix', [prefix]),
    request_hash: keyedHash('request', [parameters, prefix, rest]),
    prefix_tokens: promptBytes === 0 ? 0 : Math.round((inputTokens * prefix.length) / promptBytes),
  };
  if (maxOutputTokens !== undefined) fingerprint.max_output_tokens = maxOutputTokens;
  if (finishReason !== undefined) fingerprint.finish_reason = finishReason;
  return fingerprint;
}
