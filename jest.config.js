// Jest runs TypeScript through swc: fast, and (unlike esbuild) it keeps the decorator
// metadata that TypeORM entities need. Types are checked separately by `npm run typecheck`.
/** @type {import('jest').Config} */
const swcOptions = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

// PGlite's CommonJS build loads Node built-ins with import(), which Jest's module sandbox allows
// only under `node --experimental-vm-modules`. Compiling those calls to require() lets PGlite (the
// embedded database of test runs without PostgreSQL) work under a plain `npx jest`.
const pgliteSwcOptions = {
  jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } },
  module: { type: 'commonjs', ignoreDynamic: false },
  isModule: true,
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions],
    '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': ['@swc/jest', pgliteSwcOptions],
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  moduleNameMapper: {
    '^@keel/broker$': '<rootDir>/packages/broker/src/index.ts',
    '^@keel/broker/(.*)$': '<rootDir>/packages/broker/src/$1/index.ts',
    '^@keel/tx$': '<rootDir>/packages/tx/src/index.ts',
    '^@keel/tx/(.*)$': '<rootDir>/packages/tx/src/$1/index.ts',
    '^@keel/test-support$': '<rootDir>/test/support/index.ts',
  },
  // Probes PostgreSQL once per run and tells the workers whether to use it or PGlite.
  globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
  testTimeout: 30_000,
};
