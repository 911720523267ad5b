/**
 * `node --require @tokenmeter/instrumentation/register app.js` (through
 * `register.cjs`, which loads this ESM build synchronously): patches the
 * OpenAI and Anthropic SDKs as the app loads them — by `require` (the require
 * hook) and by `import` (the loader hook, so an app that imports the SDKs'
 * ESM builds is measured too) — and starts the SDK when the first of them is
 * loaded.
 *
 * Put in `NODE_OPTIONS`, this runs in every Node process of a host: npm,
 * health checks, `node -e`, build tools, worker threads. So it only installs
 * the hooks here (no port, no timer, no connection, no output); a process
 * that never loads an LLM SDK is left exactly as it was, and the metrics port
 * stays free for the one that does (npm must not take :9464 from the app it
 * starts).
 */
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import { parseConfig } from './config/env.js';
import { INTERNAL_WORKER_MARKER } from './control/sync-http.js';
import type { HookedPackage } from './instrumentations/hooked-packages.js';
import { installModuleHooks } from './instrumentations/module-hook.js';
import type { patchSdkModule as PatchSdkModule } from './instrumentations/patch-sdk.js';
import { onModulePatched } from './instrumentations/patch-listener.js';
import type { FinishedCall } from './core/hooks.js';
import { isMainThread, receiveWorkerCalls, workerCallHandler } from './process/workers.js';
import type { startTokenmeter as StartTokenmeter } from './sdk.js';

/**
 * The SDK itself (metrics, exporters, tracing: most of the package's load
 * time) is loaded when it starts, synchronously (`require` of this ESM build,
 * Node ≥ 22.12), so a process that never loads an LLM SDK never pays for it.
 */
function startTokenmeter(): void {
  (createRequire(import.meta.url)('./sdk.js') as { startTokenmeter: typeof StartTokenmeter }).startTokenmeter();
}

/** The patches (and what they load: the call pipeline, pricing, the OpenTelemetry API) load with the first SDK module too. */
function patchSdkModule(name: HookedPackage, moduleExports: object, baseDir: string | undefined): void {
  (createRequire(import.meta.url)('./instrumentations/patch-sdk.js') as { patchSdkModule: typeof PatchSdkModule })
    .patchSdkModule(name, moduleExports, baseDir, { openaiIncludeStreamUsage: config.openaiIncludeStreamUsage });
}

const internalWorker = (workerData as Record<string, unknown> | null)?.[INTERNAL_WORKER_MARKER] === true;
// Problems are reported when the SDK starts; here only what decides whether to hook at all.
const { config } = parseConfig(process.env);
if (!config.disabled && !internalWorker) {
  try {
    onModulePatched(() => startTokenmeter());
    installModuleHooks(patchSdkModule);
    // A worker's first call starts the main thread's SDK (which then counts it), even if the main thread uses no LLM SDK itself.
    if (isMainThread) {
      const startOnWorkerCall = (call: FinishedCall): void => {
        startTokenmeter();
        // The SDK installed its own handler: hand it this first call too.
        const handler = workerCallHandler();
        if (handler !== startOnWorkerCall) handler?.(call);
      };
      receiveWorkerCalls(startOnWorkerCall);
    }
  } catch (error) {
    // Telemetry never breaks the host: the process runs, unmeasured, and says so once.
    process.stderr.write(`tokenmeter: the hooks could not be installed, this process is not measured: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
