import { defineConfig } from 'vitest/config';

// One run covers every workspace; each project is a folder with its own tests.
export default defineConfig({
  test: {
    projects: [
      'tools/testkit',
      'tools/mock-llm',
      'instrumentation',
      'quota-webhook',
      'collector-processor',
      'dashboards',
      'scripts',
      'grafana-plugin',
    ],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
