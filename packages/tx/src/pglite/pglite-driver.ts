// The object TypeORM's postgres driver takes as its `driver` option in place of the `pg` module.
// TypeORM only ever does `new driver.Pool(options)` with it (PostgresDriver.loadDependencies and
// createPool in typeorm 0.3.31); it also probes `driver.defaults` for `parseInt8`, which we leave
// out, so that option is not offered (see PGliteDataSourceOverrides).

import type { DataSourceOptions } from 'typeorm';
import { PGlitePool, type PGliteSession } from './pglite-pool';

export interface PGliteDriver {
  readonly Pool: new (options?: unknown) => PGlitePool;
}

/** A `pg` stand-in whose pools all lease the one session of `pglite`. */
export function createPGliteDriver(pglite: PGliteSession): PGliteDriver {
  return {
    Pool: class extends PGlitePool {
      constructor(options?: unknown) {
        super(pglite, options);
      }
    },
  };
}

export type PostgresDataSourceOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/**
 * DataSource options that mean something on PGlite. Connection settings, replication, the native
 * driver and `poolSize` (there is one session) are left out, and so is `parseInt8`: bigint columns
 * come back as strings, as with pg's defaults.
 */
export type PGliteDataSourceOverrides = Omit<
  PostgresDataSourceOptions,
  | 'type'
  | 'driver'
  | 'nativeDriver'
  | 'url'
  | 'host'
  | 'port'
  | 'username'
  | 'password'
  | 'database'
  | 'ssl'
  | 'replication'
  | 'connectTimeoutMS'
  | 'poolSize'
  | 'parseInt8'
>;

/** TypeORM options for a DataSource on `pglite` (entities, schema, synchronize... in `overrides`). */
export function pgliteDataSourceOptions(
  pglite: PGliteSession,
  overrides: PGliteDataSourceOverrides = {},
): PostgresDataSourceOptions {
  return { ...overrides, type: 'postgres', driver: createPGliteDriver(pglite) };
}
