// `node --import @tokenmeter/instrumentation/register.mjs app.mjs`
// Not in the SDK's own helper threads (synchronous HTTP at start-up and exit), which must start fast.
import { workerData } from 'node:worker_threads';

if (workerData?.__tokenmeterInternalWorker !== true) await import('./dist/register-esm.js');
