// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

// d3-color >= 3.1.1 ships `.mjs` only; the scaffold's transform key (`^.+\.(t|j)sx?$`)
// skips it although the package is on the ESM allow-list, so key the same
// transform to `.mjs` too.
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  transform: { '^.+\\.m?(t|j)sx?$': swc },
  // Loading @grafana/ui and Scenes into jsdom takes seconds on a shared 2-core machine.
  testTimeout: 30000,
};
