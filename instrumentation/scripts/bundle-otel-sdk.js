/**
 * Bundles the OpenTelemetry SDK modules that `src/telemetry/otel-sdk.ts`
 * loads into one CommonJS file, `dist/telemetry/otel-sdk.bundle.cjs`, with
 * esbuild: one file to read and compile at start-up instead of ~250.
 * `@opentelemetry/api` stays external (the application's copy: its global
 * registry is shared). The bundle exports one function per module; esbuild
 * keeps each module in its own closure, run on the first call, so a module
 * the configuration never asks for never runs. The packages' ES module
 * builds are bundled, not their CommonJS ones: the same code, but their
 * named imports let esbuild leave out what nothing uses (the packages
 * declare `"sideEffects": false`), e.g. all but a few of the ~200 KB of
 * semantic-conventions constants, which cost ~10 ms to run.
 *
 * The licences: a banner names every bundled package with its version and
 * licence, and `otel-sdk.bundle.cjs.LICENSE.txt` holds their licence texts.
 *
 * Runs after `tsc -b` (it reads the module list from `dist/`), as part of
 * `npm run build`: `node scripts/bundle-otel-sdk.js`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(PACKAGE_DIR, 'dist/telemetry');
const MODULE_LIST = join(OUT_DIR, 'otel-sdk-modules.js');
/** The one module that must not be bundled. */
const SHARED = '@opentelemetry/api';

if (!existsSync(MODULE_LIST)) throw new Error(`${relative(process.cwd(), MODULE_LIST)} is missing: run \`tsc -b\` first (\`npm run build\` runs both)`);
const { OTEL_SDK_MODULES, OTEL_SDK_BUNDLE } = await import(MODULE_LIST);
const outfile = join(OUT_DIR, OTEL_SDK_BUNDLE);

// Resolved from dist/telemetry/, where the per-package `require`s of otel-sdk.js resolve from: the same copies.
// Each loader returns the same object every time (an ES module's CommonJS view is a new object per `require`).
const entry = Object.entries(OTEL_SDK_MODULES)
  .map(([name, specifier]) => `let ${name};\nexports.${name} = () => (${name} ??= require(${JSON.stringify(specifier)}));`)
  .join('\n');

/** Resolves `require('@opentelemetry/…')` to the package's ES module build, as an `import` would. */
const esmBuilds = {
  name: 'esm-builds',
  setup(build) {
    build.onResolve({ filter: /^@opentelemetry\// }, async ({ path, kind, resolveDir }) => {
      if (kind !== 'require-call' || path === SHARED || path.startsWith(`${SHARED}/`)) return undefined;
      const resolved = await build.resolve(path, { kind: 'import-statement', resolveDir });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path };
    });
  },
};

const result = await build({
  stdin: { contents: entry, resolveDir: OUT_DIR, sourcefile: 'otel-sdk-bundle-entry.cjs', loader: 'js' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  external: [SHARED],
  plugins: [esmBuilds],
  // No `keepNames`: it also wraps every named inner function in a `__name` call run at each evaluation, e.g. the
  // batch span processor's `flush` closure, made per span ended (~0.5 µs each). Renamed classes: see `restoreClassNames`.
  keepNames: false,
  legalComments: 'inline',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

const packages = bundledPackages(Object.keys(result.metafile.inputs));
const shared = packages.find((pkg) => pkg.name === SHARED);
if (shared !== undefined) throw new Error(`${SHARED} was bundled (from ${shared.dir}): it must stay external`);

const banner = [
  '/*',
  ' * The OpenTelemetry SDK modules @tokenmeter/instrumentation loads, bundled by',
  ' * scripts/bundle-otel-sdk.js (esbuild). Bundled packages:',
  ...packages.map((pkg) => ` *   ${pkg.name}@${pkg.version} (${pkg.license})`),
  ` * Their licence texts: ${OTEL_SDK_BUNDLE}.LICENSE.txt.`,
  ' */',
].join('\n');
writeAtomically(outfile, `${banner}\n${restoreClassNames(result.outputFiles[0].text)}`);
writeAtomically(`${outfile}.LICENSE.txt`, licences(packages));
console.log(`${relative(process.cwd(), outfile)}: ${packages.length} packages, ${Object.keys(result.metafile.inputs).length} files`);

/**
 * Classes renamed by a bundler get their own `name` back, once, where they are defined (as the
 * packages' CommonJS builds name them, and as errors and logs show them): esbuild's one scope
 * renames a name that clashes in it (a package installed twice, e.g. a second `otlp-exporter-base`
 * under an exporter, gives `OTLPExporterBase2`), and some packages' ES module builds, themselves
 * bundled, name theirs `TracerProvider$1`.
 */
function restoreClassNames(text) {
  const classes = /\b([A-Z][\w$]*) = class(?: ([A-Z][\w$]*))?\b([^{]*)\{/g;
  const defined = new Set([...text.matchAll(classes)].map((m) => m[1]));
  return text.replace(classes, (whole, variable, inner) => {
    // A class that refers to itself is a named class expression, its inner name renamed too: `TimeoutError = class TimeoutError2`.
    const renamed = /^(\w+?)(\$\d+|\d+)$/.exec(inner ?? variable);
    if (renamed === null || !(renamed[2].startsWith('$') || defined.has(renamed[1]))) return whole;
    return `${whole}\n      static { __defProp(this, "name", { value: "${renamed[1]}", configurable: true }); }`;
  });
}

/** The packages the bundle's input files come from, with their version, licence and licence file. */
function bundledPackages(inputs) {
  const byId = new Map();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(resolve(input));
    if (match === null) continue;
    const dir = match[1];
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    // The same version installed twice (npm did not deduplicate it) is bundled twice, as Node would load it twice: listed once.
    const id = `${manifest.name}@${manifest.version}`;
    if (byId.has(id)) continue;
    const licenceFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE'].map((name) => join(dir, name)).find((file) => existsSync(file));
    if (licenceFile === undefined) throw new Error(`${manifest.name}: no LICENSE file in ${dir}`);
    byId.set(id, { name: manifest.name, version: manifest.version, license: manifest.license, dir, licenceFile });
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** Each distinct licence text once, after the packages it covers. */
function licences(pkgs) {
  const byText = new Map();
  for (const pkg of pkgs) {
    const text = readFileSync(pkg.licenceFile, 'utf8').trim();
    byText.set(text, [...(byText.get(text) ?? []), pkg]);
  }
  return [...byText]
    .map(([text, covered]) => `${covered.map((pkg) => `${pkg.name}@${pkg.version}`).join('\n')}\n\n${text}\n`)
    .join(`\n${'-'.repeat(72)}\n\n`);
}

function writeAtomically(file, text) {
  const temporary = join(dirname(file), `.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
