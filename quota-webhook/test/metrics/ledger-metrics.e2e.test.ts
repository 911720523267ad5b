/** The ledger families of `/metrics` on SQLite (the suite is ledger-metrics-suite.ts). */
import { defineLedgerMetricsSuite } from './ledger-metrics-suite.js';

defineLedgerMetricsSuite({ kind: 'sqlite', fresh: async () => ({ dbUrl: ':memory:' }) });
