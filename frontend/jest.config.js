module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  setupFiles: ['<rootDir>/jest.polyfills.js'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.js'],
  moduleNameMapper: { '\\.css$': '<rootDir>/src/test/styleStub.js' },
  // react-intl and formatjs ship ES modules only; let babel-jest turn them into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(react-intl|@formatjs|intl-messageformat)/)'],
  // Whole screens typed into with user-event take a few seconds on a slow CI machine.
  testTimeout: 30000,
  clearMocks: true,
  restoreMocks: true,
};
