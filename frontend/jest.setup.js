require('@testing-library/jest-dom');
const { toHaveNoViolations } = require('jest-axe');
const { configure } = require('@testing-library/react');

// findBy…/waitFor wait up to 10 s (not 1 s): on a loaded 2-core machine the first render
// of a lazily loaded page can take seconds. A missing element still fails the test.
configure({ asyncUtilTimeout: 10000 });

expect.extend(toHaveNoViolations);

// The pages the SPA loads lazily (src/app/pages.tsx) are loaded once per test file
// before its tests, as a browser would have them after the first visit: a findBy… then
// finds a page at once instead of waiting for its modules to compile (over its 1 s on
// a busy machine).
beforeAll(() => require('./src/app/pages') && require('./src/components/lazyPage').preloadPages());
// Both catalogues too (src/translations/catalogues.ts): App renders at once, as after index.tsx.
beforeAll(() => {
  const { loadCatalogue } = require('./src/translations/catalogues');
  return Promise.all([loadCatalogue('en'), loadCatalogue('sv')]);
});

beforeEach(() => {
  window.localStorage.clear();
});
