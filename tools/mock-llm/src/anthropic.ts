/** Anthropic Messages wire format. */
import type { Served } from './openai.js';
import { streamOf } from './openai.js';
import { json, sseEvent, sseHeaders } from './sse.js';
import type { DisjointUsage, MockResponse } from './types.js';
import { anthropicUsage, cutByLimit, words } from './usage.js';

export function message(seq: number, body: Record<string, unknown>, usage: DisjointUsage, dropAfter?: number): Served {
  const model = String(body.model);
  const id = `msg_mock_${seq}`;
  const wire = anthropicUsage(usage);
  const pieces = words(usage.output + usage.reasoning);
  const text = pieces.join('');
  const stopReason = cutByLimit(body) ? 'max_tokens' : 'end_turn';
  if (body.stream !== true) {
    return {
      wireUsage: wire,
      response: json(200, { id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: stopReason, stop_sequence: null, usage: wire }),
    };
  }
  const frames = [
    sseEvent('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(usage, 1) },
    }),
    sseEvent('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    sseEvent('ping', { type: 'ping' }),
  ];
  for (const piece of pieces) frames.push(sseEvent('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }));
  frames.push(
    sseEvent('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output + usage.reasoning } }),
    sseEvent('message_stop', { type: 'message_stop' }),
  );
  return { wireUsage: wire, response: { status: 200, headers: sseHeaders(), stream: streamOf(frames, dropAfter) } };
}

export function anthropicError(status: number): MockResponse {
  const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'api_error';
  const message = status === 429 ? 'Number of requests has exceeded your rate limit (mock)' : 'Internal server error (mock)';
  return json(status, { type: 'error', error: { type, message } }, status === 429 ? { 'retry-after': '1' } : {});
}
