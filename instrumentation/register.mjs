// `node --import @tokenmeter/instrumentation/register.mjs app.mjs`
import './dist/register-esm.js';
