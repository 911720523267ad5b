/** OpenAI wire formats: Chat Completions, Responses and Embeddings. */
import { json, sseData, sseEvent, sseHeaders } from './sse.js';
import type { DisjointUsage, MockResponse } from './types.js';
import { cutByLimit, openaiChatUsage, openaiResponsesUsage, words } from './usage.js';

const CREATED = 1_763_856_000;

export interface Served {
  response: MockResponse;
  /** Usage the response reports on the wire (undefined when it reports none). */
  wireUsage?: Record<string, unknown>;
}

/** A value that satisfies a JSON schema's required shape, for `response_format: json_schema` (`.parse()`). */
export function sampleFromSchema(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object') return null;
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0) return sampleFromSchema(s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(props)) out[key] = sampleFromSchema(value);
      return out;
    }
    case 'array':
      return [];
    case 'string':
      return 'mock';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

function content(body: Record<string, unknown>, usage: DisjointUsage): string {
  const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') return JSON.stringify(sampleFromSchema(format.json_schema?.schema));
  if (format?.type === 'json_object') return '{"mock":true}';
  return words(usage.output + usage.reasoning).join('');
}

export function chatCompletion(seq: number, body: Record<string, unknown>, usage: DisjointUsage, dropAfter?: number): Served {
  const model = String(body.model);
  const id = `chatcmpl-mock-${seq}`;
  const tier = typeof body.service_tier === 'string' && body.service_tier !== 'auto' ? body.service_tier : 'default';
  const wire = openaiChatUsage(usage);
  const text = content(body, usage);
  const finish = cutByLimit(body) ? 'length' : 'stop';
  if (body.stream !== true) {
    return {
      wireUsage: wire,
      response: json(200, {
        id, object: 'chat.completion', created: CREATED, model, system_fingerprint: 'fp_mock', service_tier: tier,
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: finish }],
        usage: wire,
      }),
    };
  }
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const base = { id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_mock', service_tier: tier };
  const frames: string[] = [];
  const extra = includeUsage ? { usage: null } : {};
  frames.push(sseData({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], ...extra }));
  const pieces = body.response_format === undefined ? words(usage.output + usage.reasoning) : [text];
  for (const piece of pieces) frames.push(sseData({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }], ...extra }));
  frames.push(sseData({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }], ...extra }));
  if (includeUsage) frames.push(sseData({ ...base, choices: [], usage: wire }));
  frames.push('data: [DONE]\n\n');
  return { wireUsage: includeUsage ? wire : undefined, response: { status: 200, headers: sseHeaders(), stream: streamOf(frames, dropAfter) } };
}

export function response(seq: number, body: Record<string, unknown>, usage: DisjointUsage, dropAfter?: number): Served {
  const model = String(body.model);
  const wire = openaiResponsesUsage(usage);
  const text = words(usage.output + usage.reasoning).join('');
  const msgId = `msg_mock_${seq}`;
  const item = { type: 'message', id: msgId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
  const cut = cutByLimit(body);
  const full = {
    id: `resp_mock_${seq}`, object: 'response', created_at: CREATED, status: cut ? 'incomplete' : 'completed', background: false, error: null,
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null, model, output: [item], parallel_tool_calls: true,
    previous_response_id: null, reasoning: { effort: null, summary: null }, service_tier: 'default', store: true, temperature: 1,
    text: { format: { type: 'text' } }, tool_choice: 'auto', tools: [], top_p: 1, truncation: 'disabled', usage: wire, user: null, metadata: {},
  };
  if (body.stream !== true) return { wireUsage: wire, response: json(200, full) };
  let n = 0;
  const ev = (type: string, data: Record<string, unknown>): string => sseEvent(type, { type, sequence_number: n++, ...data });
  const pending = { ...full, status: 'in_progress', output: [], usage: null };
  const frames = [
    ev('response.created', { response: pending }),
    ev('response.in_progress', { response: pending }),
    ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
    ev('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
  ];
  for (const piece of words(usage.output + usage.reasoning)) {
    frames.push(ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: piece, logprobs: [] }));
  }
  frames.push(
    ev('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] }),
    ev('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part: item.content[0] }),
    ev('response.output_item.done', { output_index: 0, item }),
    ev(cut ? 'response.incomplete' : 'response.completed', { response: full }),
  );
  return { wireUsage: wire, response: { status: 200, headers: sseHeaders(), stream: streamOf(frames, dropAfter) } };
}

export function embeddings(body: Record<string, unknown>, usage: DisjointUsage): Served {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((_, index) => {
    const vector = Array.from({ length: dims }, (_v, i) => (i + index + 1) / (dims + 1));
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const wire = { prompt_tokens: usage.input, total_tokens: usage.input };
  return { wireUsage: wire, response: json(200, { object: 'list', data, model: String(body.model), usage: wire }) };
}

export function openaiError(status: number): MockResponse {
  const [type, code, message] =
    status === 429 ? ['requests', 'rate_limit_exceeded', 'Rate limit reached (mock)'] : ['server_error', null, 'The server had an error processing your request (mock)'];
  return json(status, { error: { message, type, param: null, code } }, status === 429 ? { 'retry-after': '1', 'x-ratelimit-reset-requests': '1s' } : {});
}

/** Frames as an async iterable; `dropAfter` ends it abruptly (an error the server turns into a reset). */
export async function* streamOf(frames: string[], dropAfter?: number): AsyncIterable<string> {
  let i = 0;
  for (const frame of frames) {
    if (dropAfter !== undefined && i >= dropAfter) throw new Error('mock: stream dropped');
    yield frame;
    i++;
  }
}
