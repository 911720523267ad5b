'use strict';
/**
 * An LLM-using service for the end-to-end test and the crossing bench, run as
 * `node --require @tokenmeter/instrumentation/register service.cjs`: no
 * tokenmeter code of its own beyond attribution, exactly as a user would run
 * it. The real openai SDK calls the mock provider (OPENAI_BASE_URL) with the
 * usage forced per request (`x-mock-usage`). The driver (test or bench) talks
 * to it over HTTP on 127.0.0.1:$APP_PORT:
 *   POST /call  {attribution, model?, usage}  one chat call → {ok, …} or {ok: false, error}
 *   POST /check {attribution}                 the SDK's local decision without a call
 *   POST /run   {attribution, model?, usage, ratePerSecond, maxCalls}
 *               calls at a fixed rate until the first refusal → {calls: [{startMs, endMs, ok}]}
 *   POST /flush                               delivers buffered usage records now
 * Prints `READY <port>` once listening.
 */
const OpenAI = require('openai');
const { serveJsonRoutes } = require('@tokenmeter/testkit');
const { startTokenmeter, withAttribution, runGates } = require('@tokenmeter/instrumentation');

const openai = new OpenAI({ apiKey: 'test', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const DEFAULT_MODEL = 'gpt-4.1';

/** The typed refusal's fields, or the provider error's name and status. */
function describeError(error) {
  const e = error ?? {};
  return {
    name: e.name, message: e.message, status: e.status, code: e.code, scope: e.scope, subject: e.subject,
    quotaId: e.quotaId, limit: e.limit, usage: e.usage, reason: e.reason, blockId: e.blockId,
    resetAt: e.resetAt instanceof Date ? e.resetAt.toISOString() : undefined,
  };
}

async function call({ attribution = {}, model = DEFAULT_MODEL, usage }) {
  const headers = usage === undefined ? {} : { 'x-mock-usage': JSON.stringify({ input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, ...usage }) };
  try {
    const response = await withAttribution(attribution, () =>
      openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Summarise the ticket.' }], max_completion_tokens: 5 }, { headers }),
    );
    return { ok: true, model: response.model, usage: response.usage };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

function check({ attribution = {}, provider = 'openai' }) {
  try {
    runGates({ provider, operation: 'chat', streaming: false, requestModel: DEFAULT_MODEL, attribution });
    return { allowed: true };
  } catch (error) {
    return { allowed: false, error: describeError(error) };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls at `ratePerSecond` (one call started every 1/rate s, sequentially) until the first refusal or `maxCalls`. */
async function run({ ratePerSecond, maxCalls, ...request }) {
  const period = 1000 / ratePerSecond;
  const calls = [];
  let next = Date.now();
  for (let i = 0; i < maxCalls; i++) {
    await sleep(Math.max(0, next - Date.now()));
    const startMs = Date.now();
    const result = await call(request);
    calls.push({ startMs, endMs: Date.now(), ok: result.ok, ...(result.ok ? {} : { error: result.error }) });
    if (!result.ok) break;
    next += period;
  }
  return { calls };
}

const routes = {
  '/call': call,
  '/check': check,
  '/run': run,
  '/flush': async () => {
    await startTokenmeter().forceFlush();
    return { flushed: true };
  },
};

// Deliver what is buffered before leaving, as a service's shutdown would.
serveJsonRoutes(routes, { describeError, onStop: () => startTokenmeter().shutdown() });
