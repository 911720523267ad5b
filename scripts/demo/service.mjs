// The demo workload: an ordinary service using the official OpenAI and
// Anthropic SDKs, with no tokenmeter code in it. `scripts/start.js` runs it
// under `node --import @tokenmeter/instrumentation/register.mjs`, which
// measures, prices, attributes and (through the control plane) governs every
// call. Attribution comes from `withAttribution`, as a web framework's
// middleware would set it per request.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { withAttribution, isRefusal } from '@tokenmeter/instrumentation';

const openai = new OpenAI({ maxRetries: 0 });
const anthropic = new Anthropic({ maxRetries: 0 });

// Who calls, and what for: departments and orgs come from the control plane's
// directory (seeded by the launcher), so only user and feature are set here.
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const FEATURES = ['support-chat', 'summarise', 'search', 'code-review'];
const CALLS = [
  { weight: 4, run: (f) => chat('gpt-4o-mini', f, false) },
  { weight: 2, run: (f) => chat('gpt-4o', f, true) },
  { weight: 1, run: (f) => chat('o3-mini', f, false) },
  { weight: 2, run: () => claude('claude-haiku-4-5', false) },
  { weight: 1, run: () => claude('claude-sonnet-4-6', true) },
  { weight: 1, run: () => embed() },
  // A model no price list knows: counted in tokenmeter_unpriced_total, never a silent $0.
  { weight: 0.2, run: (f) => chat('acme-internal-llm', f, false) },
];

async function chat(model, feature, stream) {
  const messages = [{ role: 'user', content: `(${feature}) Answer briefly: what is a token?` }];
  if (!stream) return openai.chat.completions.create({ model, messages, max_completion_tokens: 200 });
  const chunks = await openai.chat.completions.create({ model, messages, stream: true });
  // Consume the stream; the instrumentation reads its usage.
  for await (const chunk of chunks) void chunk;
}

async function claude(model, stream) {
  const params = { model, max_tokens: 300, messages: [{ role: 'user', content: 'Summarise this ticket in one line.' }] };
  if (!stream) return anthropic.messages.create(params);
  const events = await anthropic.messages.create({ ...params, stream: true });
  for await (const event of events) void event;
}

function embed() {
  return openai.embeddings.create({ model: 'text-embedding-3-small', input: ['tokenmeter demo'] });
}

function pick(items, weightOf = () => 1) {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  let r = Math.random() * total;
  for (const item of items) if ((r -= weightOf(item)) < 0) return item;
  return items[items.length - 1];
}

const counts = { ok: 0, refused: 0, failed: 0 };
let lastRefusal = '';
/** Calls under way, awaited on stop so that every call made is counted and reported. */
const inFlight = new Set();

async function oneCall() {
  // "frank" is the heavy user: he calls far more often and runs into his quota.
  const user = Math.random() < 0.35 ? 'frank' : pick(USERS);
  const feature = pick(FEATURES);
  const investigation = Math.random() < 0.2 ? `inv-${1 + Math.floor(Math.random() * 3)}` : undefined;
  try {
    await withAttribution({ user, feature, investigation, session: `s-${user}-${Math.floor(Date.now() / 60_000)}` }, () =>
      pick(CALLS, (c) => c.weight).run(feature),
    );
    counts.ok++;
  } catch (error) {
    if (isRefusal(error)) {
      counts.refused++;
      if (error.message !== lastRefusal) console.log(`demo-service: refused: ${(lastRefusal = error.message)}`);
    } else {
      counts.failed++;
      console.log(`demo-service: call failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function startCall() {
  const call = oneCall();
  inFlight.add(call);
  void call.finally(() => inFlight.delete(call));
}

const ratePerSecond = Number(process.env.DEMO_CALLS_PER_SECOND ?? '4');
const timer = setInterval(startCall, Math.max(10, Math.round(1000 / ratePerSecond)));
const report = setInterval(() => console.log(`demo-service: calls ok=${counts.ok} refused=${counts.refused} failed=${counts.failed}`), 15_000);
const stop = async () => {
  clearInterval(timer);
  clearInterval(report);
  await Promise.allSettled([...inFlight]);
  // The launcher's test compares this count with the ledger: ok and failed calls are reported, refused ones never left.
  console.log(`demo-service: stopped after ok=${counts.ok} refused=${counts.refused} failed=${counts.failed} calls`);
  // process.exit delivers the usage records still buffered (the SDK flushes synchronously on exit).
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
console.log(`demo-service: ${ratePerSecond} calls/s to ${process.env.OPENAI_BASE_URL} and ${process.env.ANTHROPIC_BASE_URL}`);
