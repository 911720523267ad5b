import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import testkit from './tools/testkit/vitest.config.js';
import mockLlm from './tools/mock-llm/vitest.config.js';
import instrumentation from './instrumentation/vitest.config.js';
import quotaWebhook from './quota-webhook/vitest.config.js';
import collector from './collector-processor/vitest.config.js';
import dashboards from './dashboards/vitest.config.js';
import scripts from './scripts/vitest.config.js';

// One run covers every workspace. Each package has two projects:
// - `<package>`: unit tests, which need neither a Debian binary (prometheus,
//   alertmanager, postgres, chromium, promtool, amtool, pdftotext,
//   docker-compose) nor any package's built `dist/` (workspace packages resolve
//   to their TypeScript sources below). `npm run test:unit` runs only these.
// - `<package>:e2e`: files named `*.e2e.test.ts`, which run real binaries,
//   child processes under the register hook, or built CLIs.
// The Grafana app plugin's project (it builds the plugin first) counts as end-to-end.
// `npm test` runs every project once.

const E2E = '**/*.e2e.test.ts';
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Workspace packages → their sources, so that unit tests need no `npm run build`. */
const SOURCES = [
  { find: /^@tokenmeter\/instrumentation$/, replacement: source('./instrumentation/src/index.ts') },
  { find: /^@tokenmeter\/instrumentation\/semconv$/, replacement: source('./instrumentation/src/semconv.ts') },
  { find: /^@tokenmeter\/instrumentation\/protocol$/, replacement: source('./instrumentation/src/protocol.ts') },
  { find: /^@tokenmeter\/instrumentation\/pricing$/, replacement: source('./instrumentation/src/pricing/index.ts') },
  { find: /^@tokenmeter\/instrumentation\/express$/, replacement: source('./instrumentation/src/attribution/express.ts') },
  { find: /^@tokenmeter\/testkit$/, replacement: source('./tools/testkit/src/index.ts') },
  { find: /^@tokenmeter\/mock-llm$/, replacement: source('./tools/mock-llm/src/index.ts') },
  { find: /^@tokenmeter\/quota-webhook$/, replacement: source('./quota-webhook/src/index.ts') },
  { find: /^@tokenmeter\/collector-processor$/, replacement: source('./collector-processor/src/index.ts') },
];

type ProjectConfig = { test?: Record<string, unknown> };

/** The unit and end-to-end projects of one package folder, from its own `vitest.config.ts`. */
function split(dir: string, name: string, config: ProjectConfig): TestProjectInlineConfiguration[] {
  const test = { ...config.test, root: source(`./${dir}`) };
  return [
    { ...config, resolve: { alias: SOURCES }, test: { ...test, name, exclude: [...configDefaults.exclude, E2E] } },
    { ...config, test: { ...test, name: `${name}:e2e`, include: ['test/**/*.e2e.test.ts'] } },
  ] as TestProjectInlineConfiguration[];
}

export default defineConfig({
  test: {
    projects: [
      ...split('tools/testkit', '@tokenmeter/testkit', testkit),
      ...split('tools/mock-llm', '@tokenmeter/mock-llm', mockLlm),
      ...split('instrumentation', '@tokenmeter/instrumentation', instrumentation),
      ...split('quota-webhook', '@tokenmeter/quota-webhook', quotaWebhook),
      ...split('collector-processor', '@tokenmeter/collector-processor', collector),
      ...split('dashboards', '@tokenmeter/dashboards', dashboards),
      ...split('scripts', 'scripts', scripts),
      'grafana-plugin',
    ],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
