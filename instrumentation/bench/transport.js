/**
 * The in-process transport the overhead bench calls through (no socket, so
 * the instrumentation's own cost is what differs): the mock provider's
 * `createInProcessFetch()` when its build exports it, else (or with
 * `BENCH_TRANSPORT=canned`) a `fetch` answering every chat request with the
 * same canned OpenAI response. `yieldPerCall` answers each call after one
 * event-loop turn, as a network round trip would let timers and I/O run.
 */
const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: {
    prompt_tokens: 11,
    completion_tokens: 3,
    total_tokens: 14,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
});

/** @returns {Promise<{ fetch: typeof fetch, source: string }>} */
export async function transport() {
  if (process.env.BENCH_TRANSPORT === 'canned') return canned();
  try {
    const mock = await import('@tokenmeter/mock-llm');
    if (typeof mock.createInProcessFetch === 'function') return { fetch: mock.createInProcessFetch(), source: '@tokenmeter/mock-llm createInProcessFetch()' };
  } catch {
    // not built yet: fall through to the canned response
  }
  return canned();
}

function canned() {
  return {
    fetch: async () => new Response(COMPLETION, { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_bench' } }),
    source: 'canned in-process fetch',
  };
}

export async function inProcessFetch({ yieldPerCall = false } = {}) {
  const { fetch } = await transport();
  if (!yieldPerCall) return fetch;
  return async (input, init) => {
    await new Promise((resolve) => setImmediate(resolve));
    return fetch(input, init);
  };
}
