'use strict';
// `node --require @tokenmeter/instrumentation/register app.js`
// Node >= 22.12 loads the ESM build synchronously through require(esm).
// Not in the SDK's own helper threads (synchronous HTTP at start-up and exit), which must start fast.
if (require('node:worker_threads').workerData?.__tokenmeterInternalWorker !== true) require('./dist/register.js');
