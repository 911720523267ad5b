// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no IntersectionObserver; Grafana's lazy-rendering components (Scenes panels) observe visibility.
class IntersectionObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.IntersectionObserver = global.IntersectionObserver || IntersectionObserverStub;

// findBy*/waitFor wait for a condition; on a loaded shared machine a render can take longer than the 1 s default.
const { configure } = require('@testing-library/react');
configure({ asyncUtilTimeout: 10000 });
