import { defineAnalyticsSuite } from './suite.js';

defineAnalyticsSuite({ kind: 'sqlite', fresh: async () => ({ dbUrl: ':memory:' }) });
