/**
 * What the prompt fingerprint sees of an Anthropic Messages request. The
 * stable prefix follows the prompt cache: tools, then the system prompt, then
 * the messages up to the last `cache_control` breakpoint (the content block
 * carrying it included). Without a breakpoint in the messages, the prefix is
 * the tools and the system prompt. References are taken at the call (shallow
 * copies of the body and the message list); the text is hashed after it.
 */
import type { PromptCapture } from '../../fingerprint/fingerprint.js';
import { parametersOf } from '../../fingerprint/parameters.js';
import type { MessageBody } from './internal-types.js';

const PROMPT = new Set(['messages', 'system', 'tools']);

interface MessageLike {
  role?: unknown;
  content?: unknown;
}

export function captureMessagesPrompt(body: MessageBody): PromptCapture {
  const copy = { ...body };
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]).slice() : [];
  return () => {
    const head = [copy.tools, copy.system].filter((part) => part !== undefined && part !== null);
    const parameters = parametersOf(copy, PROMPT);
    const breakpoint = lastBreakpoint(messages);
    if (breakpoint === undefined) return { prefix: head, rest: messages, parameters };
    const [m, b] = breakpoint;
    const message = messages[m] as MessageLike;
    const content = message.content as unknown[];
    const rest: unknown[] = b + 1 < content.length ? [{ ...message, content: content.slice(b + 1) }] : [];
    return {
      prefix: [...head, ...messages.slice(0, m), { ...message, content: content.slice(0, b + 1) }],
      rest: rest.concat(messages.slice(m + 1)),
      parameters,
    };
  };
}

/** [message index, content block index] of the last block with `cache_control`. */
function lastBreakpoint(messages: readonly unknown[]): [number, number] | undefined {
  for (let m = messages.length - 1; m >= 0; m--) {
    const content = (messages[m] as MessageLike | null)?.content;
    if (!Array.isArray(content)) continue;
    for (let b = content.length - 1; b >= 0; b--) {
      const block = content[b] as { cache_control?: unknown } | null;
      if (block !== null && typeof block === 'object' && block.cache_control != null) return [m, b];
    }
  }
  return undefined;
}
