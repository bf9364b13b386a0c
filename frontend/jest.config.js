// The tests run on Preact, as the build does (preact-aliases.cjs).
const PREACT_ALIASES = require('./preact-aliases.cjs');

module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  setupFiles: ['<rootDir>/jest.polyfills.js'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.js'],
  moduleNameMapper: {
    '\\.css$': '<rootDir>/src/test/styleStub.js',
    // the tests render with Preact as the build does (preact-aliases.cjs)
    ...Object.fromEntries(Object.entries(PREACT_ALIASES).map(([from, to]) => [`^${from}$`, to])),
  },
  // react-intl, formatjs and Preact ship ES modules only; let babel-jest turn them into CommonJS.
  transform: { '\\.(mjs|[jt]sx?)$': 'babel-jest' },
  transformIgnorePatterns: ['/node_modules/(?!(react-intl|@formatjs|intl-messageformat|preact)/)'],
  // Whole screens typed into with user-event take a few seconds on a slow CI machine.
  testTimeout: 30000,
  clearMocks: true,
  restoreMocks: true,
};
