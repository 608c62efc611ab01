// PGlite (PostgreSQL in WebAssembly) as a TypeORM database: a pool that leases its one session.
export { PGliteErrorCodes, PGlitePoolError, type PGliteErrorCode } from './errors';
export { type PgCompatibleResult } from './pg-compat';
export {
  createPGliteDriver,
  pgliteDataSourceOptions,
  type PGliteDataSourceOverrides,
  type PGliteDriver,
  type PostgresDataSourceOptions,
} from './pglite-driver';
export {
  PGlitePool,
  PGlitePoolClient,
  type ConnectCallback,
  type DefaultRow,
  type PGliteQueryInput,
  type PGliteSession,
  type QueryCallback,
  type ReleaseFunction,
} from './pglite-pool';
