/**
 * What the prompt fingerprint sees of an OpenAI request. The stable prefix is
 * what OpenAI's prompt cache can reuse: the tools and the leading run of
 * `system` / `developer` messages (Chat Completions), or the `instructions`,
 * the tools and the leading `system` / `developer` input items (Responses
 * API). At the call only references are taken (a shallow copy of the body and
 * of the message list, so a caller appending its reply does not change it);
 * the text is read and hashed after the call.
 */
import type { PromptCapture } from '../../fingerprint/fingerprint.js';
import { parametersOf } from '../../fingerprint/parameters.js';
import type { ChatCompletionBody, ResponseBody } from './internal-types.js';

const CHAT_PROMPT = new Set(['messages', 'tools', 'functions']);
const RESPONSES_PROMPT = new Set(['input', 'instructions', 'tools']);

export function captureChatPrompt(body: ChatCompletionBody): PromptCapture {
  const copy = { ...body };
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]).slice() : [];
  return () => {
    const lead = leadingInstructions(messages);
    const tools = copy.tools ?? copy.functions;
    return {
      prefix: [...(tools === undefined ? [] : [tools]), ...messages.slice(0, lead)],
      rest: messages.slice(lead),
      parameters: parametersOf(copy, CHAT_PROMPT),
    };
  };
}

export function captureResponsesPrompt(body: ResponseBody): PromptCapture {
  const copy = { ...body };
  const input = Array.isArray(body.input) ? (body.input as unknown[]).slice() : body.input;
  return () => {
    const items = Array.isArray(input) ? input : input === undefined ? [] : [input];
    const lead = Array.isArray(input) ? leadingInstructions(items) : 0;
    const head = [copy.instructions, copy.tools].filter((part) => part !== undefined && part !== null);
    return {
      prefix: [...head, ...items.slice(0, lead)],
      rest: items.slice(lead),
      parameters: parametersOf(copy, RESPONSES_PROMPT),
    };
  };
}

/** How many messages at the start are instructions (`system` or `developer`). */
function leadingInstructions(messages: readonly unknown[]): number {
  let n = 0;
  while (n < messages.length) {
    const role = (messages[n] as { role?: unknown } | null)?.role;
    if (role !== 'system' && role !== 'developer') break;
    n++;
  }
  return n;
}
