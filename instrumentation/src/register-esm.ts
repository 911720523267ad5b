/**
 * `node --import @tokenmeter/instrumentation/register.mjs app.mjs`: the same
 * start as the CommonJS register — the SDK, the loader hook that shows the
 * patches the SDKs' ESM builds, and the require hook for their CJS builds.
 */
import './register.js';
