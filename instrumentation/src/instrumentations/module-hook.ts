/**
 * Finds the LLM SDKs as an application loads them, at the least cost to
 * every other module: with the hook in `NODE_OPTIONS` it runs in every Node
 * process of a host (npm, health checks, build tools), most of which never
 * load an SDK.
 *
 * - `require`: `Module.prototype.require` is wrapped and compares the
 *   specifier with the two package names, nothing more. (OpenTelemetry's
 *   `InstrumentationBase` hooks every `require` of every module through
 *   require-in-the-middle, which resolves each one again: ~40 ms more to
 *   load openai alone, and loading that machinery cost ~35 ms in every
 *   process.)
 * - `import`: the in-thread loader hook passes everything through until a
 *   module imports one of the packages; only then is import-in-the-middle
 *   loaded to wrap it (esm-loader.ts).
 *
 * The listener gets the module's exports (or ESM namespace) and its package
 * directory, once per module instance.
 */
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { installEsmLoaderHook } from './esm-loader.js';
import { isHookedPackage, type HookedModuleListener } from './hooked-packages.js';

type Require = (this: Module, id: string) => unknown;
interface ModuleInternals {
  _resolveFilename(request: string, parent: Module): string;
}

let installed = false;

/** Installs both hooks, once. */
export function installModuleHooks(listener: HookedModuleListener): void {
  if (installed) return;
  installed = true;
  const guarded: HookedModuleListener = (name, moduleExports, baseDir) => {
    try {
      listener(name, moduleExports, baseDir);
    } catch (error) {
      // Metering never breaks a require or an import: the module loads unpatched.
      process.emitWarning(`tokenmeter: patching ${name} failed, its calls are not measured: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  installRequireHook(guarded);
  installEsmLoaderHook(guarded);
}

function installRequireHook(listener: HookedModuleListener): void {
  const proto = Module.prototype as unknown as { require: Require };
  const original = proto.require;
  const seen = new WeakSet<object>();
  proto.require = function require(this: Module, id: string): unknown {
    // eslint-disable-next-line prefer-rest-params -- pass on exactly what the caller passed
    const moduleExports = Reflect.apply(original, this, arguments) as unknown;
    if (isHookedPackage(id) && moduleExports !== null && (typeof moduleExports === 'object' || typeof moduleExports === 'function') && !seen.has(moduleExports)) {
      seen.add(moduleExports);
      listener(id, moduleExports, packageDir(id, this));
    }
    return moduleExports;
  };
}

/** The directory of the package `name` as `parent` resolves it: the nearest one up from its entry file whose package.json has that name. */
function packageDir(name: string, parent: Module): string | undefined {
  let dir: string;
  try {
    dir = dirname((Module as unknown as ModuleInternals)._resolveFilename(name, parent));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === name) return dir;
    } catch {
      // no package.json here, or not JSON: keep going up
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
