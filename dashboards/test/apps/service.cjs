'use strict';
/**
 * An LLM-using service for the dashboards test, run as
 * `node --require @tokenmeter/instrumentation/register service.cjs`: the real
 * openai and Anthropic SDKs against the mock provider, measured by the SDK
 * like any user's service, plus the SDK's router (openai first, then
 * anthropic). The test drives it over HTTP on 127.0.0.1:$APP_PORT:
 *   POST /call  {attribution, provider, model, usage?, fault?}  one chat call (usage forced with
 *               x-mock-usage, a provider error with x-mock-fault) → {ok} or {ok: false, error}
 *   POST /route {attribution}                                   one call through the router → {ok, provider, attempts}
 *   POST /flush                                                 delivers buffered usage records now
 * Prints `READY <port>` once listening.
 */
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { serveJsonRoutes } = require('@tokenmeter/testkit');
const { createRouter, startTokenmeter, withAttribution } = require('@tokenmeter/instrumentation');

const mock = process.env.MOCK_LLM_URL;
const openai = new OpenAI({ apiKey: 'test', baseURL: `${mock}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'test', baseURL: mock, maxRetries: 0 });
// A breaker that never opens: every routed call tries openai first, so fallbacks are countable.
const router = createRouter({
  providers: [
    { name: 'openai', client: openai, model: 'gpt-4.1-mini' },
    { name: 'anthropic', client: anthropic, model: 'claude-haiku-4-5' },
  ],
  cooldown: { failures: 1_000_000, millis: 1 },
});

function headersOf({ usage, fault }) {
  const headers = {};
  if (usage !== undefined) headers['x-mock-usage'] = JSON.stringify({ input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, ...usage });
  if (fault !== undefined) headers['x-mock-fault'] = fault;
  return headers;
}

async function call({ attribution = {}, provider = 'openai', model, usage, fault }) {
  const headers = headersOf({ usage, fault });
  const messages = [{ role: 'user', content: 'Summarise the ticket.' }];
  try {
    await withAttribution(attribution, () => (provider === 'anthropic'
      ? anthropic.messages.create({ model, max_tokens: 20, messages }, { headers })
      : openai.chat.completions.create({ model, messages, max_completion_tokens: 20 }, { headers })));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: { name: error?.name, status: error?.status, message: error?.message } };
  }
}

async function route({ attribution = {} }) {
  const result = await withAttribution(attribution, () => router.chat({ messages: [{ role: 'user', content: 'Summarise the incident.' }], maxTokens: 20 }));
  return { ok: true, provider: result.provider, attempts: result.attempts.map((a) => ({ provider: a.provider, outcome: a.outcome, reason: a.reason })) };
}

const routes = {
  '/call': call,
  '/route': route,
  '/flush': async () => {
    await startTokenmeter().forceFlush();
    return { flushed: true };
  },
};

serveJsonRoutes(routes, { onStop: () => startTokenmeter().shutdown() });
