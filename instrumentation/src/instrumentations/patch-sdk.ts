/**
 * Patches an SDK module the register hook found (module-hook.ts): checks its
 * version as an OpenTelemetry instrumentation would, then applies the same
 * patches as `OpenAIInstrumentation` / `AnthropicInstrumentation`, without
 * loading `@opentelemetry/instrumentation`. Loaded with the first SDK module.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { anthropicPatches } from './anthropic/patches.js';
import { ANTHROPIC_SUPPORTED_VERSIONS } from './anthropic/utils.js';
import type { HookedPackage } from './hooked-packages.js';
import { openaiPatches } from './openai/patches.js';
import { OPENAI_SUPPORTED_VERSIONS } from './openai/utils.js';
import { applyPatches, wrapMethod, type MethodPatch } from './prototype-patch.js';
import { isSupportedVersion } from './supported-version.js';

export interface SdkPatchOptions {
  /** Inject `stream_options.include_usage` into OpenAI streaming requests. */
  openaiIncludeStreamUsage: boolean;
}

const always = (): boolean => true;

/** Patches `moduleExports` of `name` (its package directory `baseDir`) if its version is supported; says so at debug level if not. */
export function patchSdkModule(name: HookedPackage, moduleExports: object, baseDir: string | undefined, options: SdkPatchOptions): void {
  const version = baseDir === undefined ? undefined : packageVersion(baseDir);
  const ranges = name === 'openai' ? OPENAI_SUPPORTED_VERSIONS : ANTHROPIC_SUPPORTED_VERSIONS;
  if (!isSupportedVersion(version, ranges)) {
    diag.debug(`@tokenmeter/instrumentation: ${name} ${version ?? '(version unknown)'} is not supported (${ranges.join(' || ')}): not patched`);
    return;
  }
  const patches: MethodPatch[] = name === 'openai'
    ? openaiPatches(moduleExports, { includeStreamUsage: () => options.openaiIncludeStreamUsage, enabled: always })
    : anthropicPatches(moduleExports, always);
  applyPatches(patches, wrapMethod);
}

function packageVersion(baseDir: string): string | undefined {
  try {
    const version = (JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
