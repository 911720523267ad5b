import { defineProject } from 'vitest/config';

// The plugin's Node-side tests: its Jest suite (the scaffold's runner), the
// build and plugin.json schema checks, and the browser harness. The plugin
// and the harness bundle are built once per run (globalSetup).
export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
