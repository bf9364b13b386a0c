/**
 * OPT-IN, not the default build yet: with TESSERA_SPA_PREACT=1 the SPA, written against
 * React's API, runs on Preact (preact/compat), for the initial JS (issue 15: ≤ 120 kB
 * gzipped). react-dom is 62 of the 133 kB; with Preact the initial JS was 74.7 kB
 * (`TESSERA_SPA_PREACT=1 npx webpack --mode production && node scripts/bundle-size.mjs`).
 * It is not the default because jest on Preact (`TESSERA_SPA_PREACT=1 npx jest`) still
 * fails tests that pass on React: text typed into a field arrives out of order, a passkey
 * login stays on /login, and several whole-screen tests time out (see the commit).
 * This table, used by the webpack build (resolve.alias) and by jest (moduleNameMapper),
 * sends every import of React — ours and the libraries' (react-redux, react-intl,
 * react-router, RTK Query's hooks, Testing Library) — to Preact, so the tests run what
 * the browser would. TypeScript still checks the sources against @types/react.
 *
 * Keys are module requests, values are module requests inside the preact package
 * (Preact 11 ships ES modules only: jest transforms them with Babel, see jest.config.js).
 * See Preact's guide "Switching to Preact (from React)": aliasing react and react-dom.
 */
module.exports = {
  react: 'preact/compat',
  'react-dom': 'preact/compat',
  // compat's createRoot (its package exports "./compat/client" for import and require)
  'react-dom/client': 'preact/compat/client',
  'react-dom/test-utils': 'preact/test-utils',
  'react/jsx-runtime': 'preact/jsx-runtime',
  'react/jsx-dev-runtime': 'preact/jsx-runtime',
};
