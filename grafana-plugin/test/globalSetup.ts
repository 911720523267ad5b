/** Builds the plugin (webpack, as `npm run build`) and the harness bundle once, before any test file runs. */
import { buildHarness, buildPlugin } from './harness/build.js';

export default async function setup(): Promise<void> {
  await Promise.all([buildPlugin(), buildHarness()]);
}
