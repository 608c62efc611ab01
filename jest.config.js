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

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: {
    '^@keel/broker$': '<rootDir>/packages/broker/src/index.ts',
    '^@keel/broker/(.*)$': '<rootDir>/packages/broker/src/$1/index.ts',
    '^@keel/tx$': '<rootDir>/packages/tx/src/index.ts',
    '^@keel/tx/(.*)$': '<rootDir>/packages/tx/src/$1/index.ts',
  },
  testTimeout: 30_000,
};
