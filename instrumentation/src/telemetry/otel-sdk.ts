/**
 * The OpenTelemetry SDK packages, loaded the first time the configuration
 * needs one. The build bundles them into one CommonJS file
 * (`scripts/bundle-otel-sdk.js`): requiring them package by package read and
 * compiled ~250 files, ~77 ms of CPU at start-up on the bench machine with
 * spans exported, the bundle ~37 ms. It is one `require`; each package's code still runs
 * on its first use (a service that exports no spans never runs the trace
 * SDK). Every SDK class comes from one copy of its module (a `MeterProvider`
 * and its readers must share `sdk-metrics`): all from the bundle, or all from
 * the packages. `@opentelemetry/api` is not bundled: the application's copy,
 * whose process-wide global registry the SDK shares.
 *
 * Without the bundle (`tsc -b` alone, or the unit tests, which run the
 * TypeScript sources) each package is required from `node_modules` as
 * before: the same classes and behaviour, only a slower start.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { OTEL_SDK_BUNDLE, OTEL_SDK_MODULES, type OtelSdkModules } from './otel-sdk-modules.js';

export type { OtelSdkModules } from './otel-sdk-modules.js';

type Loaders = { readonly [K in keyof OtelSdkModules]: () => OtelSdkModules[K] };

const load = createRequire(import.meta.url);
const BUNDLE = fileURLToPath(new URL(`./${OTEL_SDK_BUNDLE}`, import.meta.url));

let loaders: Loaders | undefined;

/** The bundle's loaders (each runs its package's code on the first call), or `require` per package without it. */
function sdkLoaders(): Loaders {
  if (loaders !== undefined) return loaders;
  if (existsSync(BUNDLE)) return (loaders = load(BUNDLE) as Loaders);
  const perPackage: Record<string, () => unknown> = {};
  for (const [name, specifier] of Object.entries(OTEL_SDK_MODULES)) perPackage[name] = () => load(specifier);
  return (loaders = perPackage as Loaders);
}

/** The module on first use, then the same object (one property read per call: some are called per span). */
function accessor<K extends keyof OtelSdkModules>(name: K): () => OtelSdkModules[K] {
  let module: OtelSdkModules[K] | undefined;
  return () => (module ??= sdkLoaders()[name]());
}

/** One accessor per module of `OTEL_SDK_MODULES`. */
export const otelSdk = Object.fromEntries(Object.keys(OTEL_SDK_MODULES).map((name) => [name, accessor(name as keyof OtelSdkModules)])) as Loaders;
