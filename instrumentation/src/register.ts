/**
 * `node --require @tokenmeter/instrumentation/register app.js` (through
 * `register.cjs`, which loads this ESM build synchronously): starts the SDK
 * and patches the OpenAI and Anthropic SDKs as the app loads them — by
 * `require` (the require hook) and by `import` (the loader hook, so an app
 * that imports the SDKs' ESM builds is measured too).
 */
import { installEsmLoaderHook } from './instrumentations/esm-loader.js';
import { enableInstrumentations } from './instrumentations/index.js';
import { startTokenmeter } from './sdk.js';

const { config } = startTokenmeter();
if (!config.disabled) {
  installEsmLoaderHook();
  enableInstrumentations({ openaiIncludeStreamUsage: config.openaiIncludeStreamUsage });
}
