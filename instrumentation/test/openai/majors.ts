/**
 * The openai majors under test: the newest (7.x, the ESM build, as `import`
 * gives it), 6.x, 5.x and 4.x (their CJS builds, resolved from the fixture
 * workspaces that pin them).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as openai7 from 'openai';

/** The client constructor as the tests use it (a structural subset of every major). */
export type OpenAIClient = new (options: { apiKey: string; fetch: unknown; maxRetries: number; baseURL?: string }) => OpenAILike;

/* eslint-disable @typescript-eslint/no-explicit-any -- each major has its own types; the tests drive them alike */
export type OpenAILike = any;

export interface OpenAIMajor {
  name: string;
  version: string;
  moduleExports: object;
  OpenAI: OpenAIClient;
}

function fromFixture(fixture: string): OpenAIMajor {
  const require = createRequire(new URL(`../../../tools/sdk-fixtures/${fixture}/package.json`, import.meta.url));
  const moduleExports = require('openai') as { OpenAI: OpenAIClient };
  const manifest = join(dirname(require.resolve('openai')), 'package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  return { name: `openai ${version} (CJS)`, version, moduleExports, OpenAI: moduleExports.OpenAI };
}

export const OPENAI_MAJORS: OpenAIMajor[] = [
  {
    name: 'openai 7 (ESM)',
    version: '7',
    moduleExports: openai7,
    OpenAI: openai7.OpenAI as unknown as OpenAIClient,
  },
  fromFixture('openai-v6'),
  fromFixture('openai-v5'),
  fromFixture('openai-v4'),
];
