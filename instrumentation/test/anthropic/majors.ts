/**
 * The @anthropic-ai/sdk majors under test: the newest (1.x, the ESM build, as
 * `import` gives it) and 0.x (its CJS build, from the fixture workspace).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as anthropic1 from '@anthropic-ai/sdk';

/* eslint-disable @typescript-eslint/no-explicit-any -- each major has its own types; the tests drive them alike */
export type AnthropicLike = any;
export type AnthropicClient = new (options: { apiKey: string; fetch: unknown; maxRetries: number }) => AnthropicLike;

export interface AnthropicMajor {
  name: string;
  moduleExports: object;
  Anthropic: AnthropicClient;
}

function fromFixture(fixture: string): AnthropicMajor {
  const require = createRequire(new URL(`../../../tools/sdk-fixtures/${fixture}/package.json`, import.meta.url));
  const moduleExports = require('@anthropic-ai/sdk') as { Anthropic: AnthropicClient };
  const manifest = join(dirname(require.resolve('@anthropic-ai/sdk')), 'package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  return { name: `@anthropic-ai/sdk ${version} (CJS)`, moduleExports, Anthropic: moduleExports.Anthropic };
}

export const ANTHROPIC_MAJORS: AnthropicMajor[] = [
  { name: '@anthropic-ai/sdk 1 (ESM)', moduleExports: anthropic1, Anthropic: anthropic1.Anthropic as unknown as AnthropicClient },
  fromFixture('anthropic-v0'),
];
