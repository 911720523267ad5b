export { startMockLlm, createInProcessFetch } from './server.js';
export type { MockLlmOptions, RunningMockLlm } from './server.js';
export { MockLlm } from './mock.js';
export type { MockLogOptions } from './mock.js';
export { ruleUsage, parseForcedUsage, openaiChatUsage, openaiResponsesUsage, anthropicUsage, reportedDisjoint } from './usage.js';
export { parseFault } from './faults.js';
export type { DisjointUsage, FaultRule, MockRequest, MockResponse, Provider, ServedRequest } from './types.js';
