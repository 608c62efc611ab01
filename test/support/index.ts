// @keel/test-support: the database harness for Keel's own tests (jest-global-setup.ts decides the
// database once per run; describeWithDatabase gives each suite its own).
export { describeWithDatabase, type SuiteOptions } from './describe-with-database';
export type { DatabaseNeed } from './database-decision';
export { createTestPGlite } from './pglite-template';
export type {
  DataSourceEntities,
  DataSourceOverrides,
  PGliteTestDatabase,
  PostgresTestDatabase,
  TestDatabase,
} from './test-database';
