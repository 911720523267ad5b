/**
 * The prompt fingerprint's cost for a 10 KB prompt (a 6 KB system prompt, a
 * tool, a 4 KB question): on the caller's path (what `prepare` captures and
 * `end` queues), against the same call path with fingerprints off, in the
 * same run; and the hashing itself, which runs after the call in a batch
 * (`setImmediate`), against a bare HMAC-SHA-256 of the same 10 KB as its
 * floor. CPU time of batches of 1,000 calls, medians over 41 rounds; off and
 * on interleaved round by round.
 */
import { createHmac, hash } from 'node:crypto';
import { startCall } from '../dist/core/call.js';
import { computeFingerprint, configureFingerprints, fingerprintKey } from '../dist/fingerprint/fingerprint.js';
import { drainFingerprints } from '../dist/fingerprint/pending.js';
import { SHA256_IV, sha256Blocks } from '../dist/fingerprint/sha256.js';
import { chatOperation } from '../dist/instrumentations/openai/chat.js';

const BATCH = 1_000;
const ROUNDS = 41;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** CPU ns per call of one batch of `fn` (process CPU time: less sensitive to other load on the machine than wall time). */
function batch(fn) {
  const start = process.cpuUsage();
  for (let i = 0; i < BATCH; i++) fn(i);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / BATCH;
}

/** Interleaved rounds of `a` and `b` (order alternating); medians of each and of the per-round difference b − a. `between` runs untimed after each batch. */
function compare(a, b, between = () => {}) {
  const as = [];
  const bs = [];
  const diffs = [];
  for (let r = 0; r < ROUNDS + 4; r++) {
    const first = r % 2 === 0;
    const x = first ? batch(a) : 0;
    between();
    const y = batch(b);
    between();
    const x2 = first ? x : batch(a);
    between();
    if (r >= 4) {
      as.push(x2);
      bs.push(y);
      diffs.push(y - x2);
    }
  }
  return { a: median(as), b: median(bs), added: median(diffs) };
}

/** ns per call of `fn`, median of rounds. */
function time(fn) {
  const samples = [];
  for (let r = 0; r < ROUNDS + 4; r++) {
    const ns = batch(fn);
    if (r >= 4) samples.push(ns);
  }
  return median(samples);
}

function words(n, seed) {
  let text = '';
  for (let i = 0; text.length < n; i++) text += `${seed}${(i * 7919) % 1000} policy clause and its reasoning. `;
  return text.slice(0, n);
}

export function runFingerprintBench() {
  const body = {
    model: 'gpt-4.1-mini',
    max_tokens: 256,
    temperature: 0.2,
    tools: [{ type: 'function', function: { name: 'lookup', description: 'Look a policy up', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }],
    messages: [
      { role: 'system', content: words(6000, 's') },
      { role: 'user', content: words(4000, 'u') },
    ],
  };
  const promptBytes = Buffer.byteLength(JSON.stringify(body.messages)) + Buffer.byteLength(JSON.stringify(body.tools));
  const operation = chatOperation(() => true);
  const result = { responseModel: 'gpt-4.1-mini-2025-04-14', responseId: 'chatcmpl-1', tokens: { input: 2600, output: 120 }, finishReasons: ['stop'] };
  const callPath = () => {
    const prepared = operation.prepare({}, body);
    startCall(prepared.input).end(result);
  };

  // Off and on alternate round by round; the deferred batches run between timed loops (in a service: after the caller got its answer).
  const callPathWith = (enabled) => () => {
    configureFingerprints({ enabled });
    callPath();
  };
  const { a: off, b: on, added } = compare(callPathWith(false), callPathWith(true), drainFingerprints);
  configureFingerprints({ enabled: true });

  const parts = operation.prepare({}, body).input.prompt();
  const hashing = time(() => computeFingerprint(parts, fingerprintKey(), 2600, 256, 'stop'));
  const raw = Buffer.from(JSON.stringify(body));
  const floor = time(() => createHmac('sha256', fingerprintKey()).update(raw).digest());

  // A one-line chat call, hashed in JavaScript from the key pads' states (fingerprint/sha256.ts).
  const short = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
  const shortParts = operation.prepare({}, short).input.prompt();
  const shortHashing = time(() => computeFingerprint(shortParts, fingerprintKey(), 9, undefined, 'stop'));
  const rawShort = Buffer.from(JSON.stringify(short));
  const shortFloor = time(() => createHmac('sha256', fingerprintKey()).update(rawShort).digest());
  const blocks = new Uint8Array(3 * 64).map((_, i) => (i * 37) & 255);
  const state = Uint32Array.from(SHA256_IV);
  const perBlock = time(() => sha256Blocks(state, blocks, 0, blocks.length)) / 3;
  const opensslBlock = time(() => hash('sha256', blocks.subarray(0, 55), 'buffer'));

  return [
    `prompt: ${(promptBytes / 1024).toFixed(1)} KB (system 6 KB, one tool, question 4 KB)`,
    `call path (prepare → startCall → end), fingerprints off: ${off.toFixed(0)} ns/call`,
    `call path, fingerprints on (capture + queue; hashing deferred): ${on.toFixed(0)} ns/call → added ${added.toFixed(0)} ns/call on the caller's path (median of per-round differences; goal < 2000)`,
    `hashing after the call (canonical text + two HMAC-SHA-256, prefix and request): ${(hashing / 1000).toFixed(2)} µs/call`,
    `floor: one HMAC-SHA-256 over the 10 KB request as JSON.stringify gives it: ${(floor / 1000).toFixed(2)} µs (hashing ÷ floor ${(hashing / floor).toFixed(1)})`,
    `one-line chat call: hashing ${(shortHashing / 1000).toFixed(2)} µs/call; floor: one createHmac over its ${rawShort.length} bytes of JSON ${(shortFloor / 1000).toFixed(2)} µs (hashing ÷ floor ${(shortHashing / shortFloor).toFixed(1)})`,
    `SHA-256 compression in JavaScript: ${perBlock.toFixed(0)} ns per 64-byte block; crypto.hash of one block's message: ${opensslBlock.toFixed(0)} ns per call`,
  ].join('\n');
}
