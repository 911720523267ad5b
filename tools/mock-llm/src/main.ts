#!/usr/bin/env node
/** `tokenmeter-mock-llm --port 8300 --host 127.0.0.1`: the mock provider for the demo. */
import { parseArgs } from 'node:util';
import { startMockLlm } from './server.js';

function fail(message: string): never {
  process.stderr.write(`tokenmeter-mock-llm: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help === true) {
  process.stdout.write('usage: tokenmeter-mock-llm [--port 8300] [--host 127.0.0.1]\n  env: TOKENMETER_MOCK_LLM_PORT, TOKENMETER_MOCK_LLM_HOST\n');
  process.exit(0);
}
const portText = values.port ?? process.env.TOKENMETER_MOCK_LLM_PORT ?? '8300';
if (!/^\d+$/.test(portText) || Number(portText) > 65535) fail(`--port must be an integer 0-65535, got "${portText}"`);
const host = values.host ?? process.env.TOKENMETER_MOCK_LLM_HOST ?? '127.0.0.1';

const running = await startMockLlm({ port: Number(portText), host });
process.stdout.write(`tokenmeter-mock-llm listening on ${running.url} (OpenAI: ${running.url}/v1, Anthropic: ${running.url})\n`);
const stop = (): void => {
  void running.stop().then(() => process.exit(0)); // exit once connections are closed
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
