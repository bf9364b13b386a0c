/**
 * The SPA, written against React's API, runs on Preact (preact/compat), for the initial JS
 * (issue 15: ≤ 120 kB gzipped; `npm run build` fails above it). react-dom alone was 62 of
 * the 133 kB on React; on Preact the initial JS is about 75 kB (`node scripts/bundle-size.mjs`).
 * One runtime: the build and jest both use this table; the e2e tests run the build.
 * Where Preact differs in a way our code sees: it renders in a microtask and runs
 * useEffect after the next frame, not inside an act() scope as React's test renderer does —
 * a test whose fake service answers in the same tick sees fewer intermediate renders, so
 * the fake must answer as the real service would (e.g. no "second step due" after a passkey).
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
