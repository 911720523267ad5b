'use strict';
// `node --require @tokenmeter/instrumentation/register app.js`
// Node >= 22.12 loads the ESM build synchronously through require(esm).
require('./dist/register.js');
