/**
 * Provider aliases and model-name normalisation, applied only when a
 * (provider, model) pair is first seen: the result is memoised per catalog.
 *
 * Provider aliases (after lower-casing) map to the catalog's canonical names:
 * - `openai`: `azure.ai.openai`, `az.ai.openai`, `azure_openai`, `azure-openai`, `azure`
 *   (Azure OpenAI global deployments at OpenAI's list prices; set admin prices for others).
 * - `google`: `gcp.gemini`, `gcp.gen_ai`, `gcp.vertex_ai` (Gemini models), `gemini`,
 *   `google_genai`, `vertex_ai`, `vertexai`, `google.generative_ai`.
 * - `mistral`: `mistral_ai`, `mistralai`.
 * - `aws.bedrock` and `gcp.vertex_ai` host several vendors: the model id decides
 *   (`claude…`/`anthropic.…` → `anthropic`, `gemini…` → `google`, `mistral…`/`codestral…` → `mistral`).
 *
 * Model normalisation (the raw, lower-cased name is always tried first, so a
 * dated id with its own price — `gpt-4o-2024-05-13` — keeps it):
 * - strips path prefixes `models/`, `publishers/<vendor>/models/`, `projects/…/models/`;
 * - strips Bedrock vendor prefixes with an optional region (`us.anthropic.`, `eu.`, `apac.`, `global.`)
 *   and the `-v1:0` version suffix;
 * - strips Vertex `@20250929` / `@latest` / `@default` suffixes;
 * - strips date suffixes `-2024-08-06` (OpenAI), `-20250929` (Anthropic), and `-latest`;
 * - strips Gemini revision suffixes `-001`, `-002`.
 */

const PROVIDER_ALIASES: ReadonlyMap<string, string> = new Map([
  ['azure.ai.openai', 'openai'],
  ['az.ai.openai', 'openai'],
  ['azure_openai', 'openai'],
  ['azure-openai', 'openai'],
  ['azure', 'openai'],
  ['gcp.gemini', 'google'],
  ['gcp.gen_ai', 'google'],
  ['gemini', 'google'],
  ['google_genai', 'google'],
  ['google.generative_ai', 'google'],
  ['vertex_ai', 'google'],
  ['vertexai', 'google'],
  ['mistral_ai', 'mistral'],
  ['mistralai', 'mistral'],
]);

/** Hosts whose models come from several vendors: the vendor is read from the model id. */
const MULTI_VENDOR_HOSTS: ReadonlySet<string> = new Set(['aws.bedrock', 'gcp.vertex_ai', 'bedrock', 'vertex_ai', 'vertexai']);

/** Canonical provider for a (provider, model) pair; the lower-cased provider itself when no alias applies. */
export function canonicalProvider(provider: string, model: string): string {
  const name = provider.trim().toLowerCase();
  if (MULTI_VENDOR_HOSTS.has(name)) {
    const vendor = vendorOfModel(model);
    if (vendor !== undefined) return vendor;
  }
  return PROVIDER_ALIASES.get(name) ?? name;
}

function vendorOfModel(model: string): string | undefined {
  const id = normaliseModel(model);
  if (id.startsWith('claude')) return 'anthropic';
  if (id.startsWith('gemini') || id.startsWith('text-embedding-00') || id.startsWith('gemini-embedding')) return 'google';
  if (/^(?:mistral|codestral|ministral|magistral|devstral|pixtral)/.test(id)) return 'mistral';
  return undefined;
}

const PATH_PREFIX = /^(?:projects\/[^/]+\/locations\/[^/]+\/)?(?:publishers\/[^/]+\/)?models\//;
const BEDROCK_PREFIX = /^(?:(?:us|eu|apac|global|us-gov|jp|au|ca)\.)?(?:anthropic|mistral|meta|amazon|cohere|openai|google)\./;
const BEDROCK_VERSION = /-v\d+(?::\d+)?$/;
const VERTEX_SUFFIX = /@(?:\d{8}|latest|default)$/;
const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;
const REVISION_SUFFIX = /-\d{3}$/;

/** The normalised form of a model id (lower-cased); see the module comment for the rules. */
export function normaliseModel(model: string): string {
  let id = model.trim().toLowerCase().replace(PATH_PREFIX, '');
  if (BEDROCK_PREFIX.test(id)) id = id.replace(BEDROCK_PREFIX, '').replace(BEDROCK_VERSION, '');
  id = id.replace(VERTEX_SUFFIX, '').replace(DATE_SUFFIX, '');
  if (id.startsWith('gemini')) id = id.replace(REVISION_SUFFIX, '');
  return id;
}
