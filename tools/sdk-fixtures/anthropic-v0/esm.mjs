// This fixture's @anthropic-ai/sdk as an ESM app imports it: resolved from here, so the loader hook sees this major's ESM build.
import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import Anthropic from '@anthropic-ai/sdk';

export { Anthropic };
export const resolved = {
  anthropic: import.meta.resolve('@anthropic-ai/sdk'),
  'anthropic version': JSON.parse(readFileSync(findPackageJSON('@anthropic-ai/sdk', import.meta.url), 'utf8')).version,
};
