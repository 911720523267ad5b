// This fixture's openai as an ESM app imports it: resolved from here, so the loader hook sees this major's ESM build.
import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import OpenAI from 'openai';

export { OpenAI };
export const resolved = {
  openai: import.meta.resolve('openai'),
  'openai version': JSON.parse(readFileSync(findPackageJSON('openai', import.meta.url), 'utf8')).version,
};
