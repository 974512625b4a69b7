/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  // openid-client and the two libraries it stands on ship only ES modules: compiled to CommonJS like ours.
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'],
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/support/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/support/globalTeardown.ts',
  // A guard against a hung test, not a measure: CI runs the two databases' suites side by side
  // on two cores, where a test that takes 10 s alone has taken over 120 s.
  testTimeout: 240000,
  // A failing test must not leave a worker polling forever.
  forceExit: true,
};
