// The database a suite gets: its own schema on the PostgreSQL server, or its own in-memory PGlite
// (see describe-with-database.ts for when which). Both hand out TypeORM options bound to the
// schema and a `query` helper; the PostgreSQL one also node-postgres settings for raw clients.

import type { PGlite } from '@electric-sql/pglite';
import {
  PGlitePool,
  pgliteDataSourceOptions,
  type PGliteDataSourceOverrides,
  type PostgresDataSourceOptions,
} from '@keel/tx';
import { Pool, type ClientConfig, type QueryResultRow } from 'pg';
import { createTestPGlite } from './pglite-template';
import { newSchemaName, searchPathOf, SuiteSchema } from './postgres-schema';

export type DataSourceEntities = NonNullable<PostgresDataSourceOptions['entities']>;

/** TypeORM options a suite may add; the same set works on both kinds of database. */
export type DataSourceOverrides = PGliteDataSourceOverrides;

interface TestDatabaseCommon {
  /** The suite's own schema, `keel_t_<pid>_<random>`; a plain identifier, no quoting needed. */
  readonly schema: string;
  /**
   * Options for a TypeORM DataSource whose tables live in the suite's schema. Destroy the
   * DataSource in the suite's afterAll.
   */
  dataSourceOptions(entities: DataSourceEntities, overrides?: DataSourceOverrides): PostgresDataSourceOptions;
  /** Runs one statement with the schema first on the search path; returns its rows. */
  query<R extends QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
}

export interface PostgresTestDatabase extends TestDatabaseCommon {
  readonly kind: 'postgres';
  /** The server's URL (DATABASE_URL), not bound to the schema: prefer `pgConfig()`. */
  readonly url: string;
  /** Settings for a `pg` Client or Pool whose connections use the suite's schema. */
  pgConfig(): ClientConfig;
}

export interface PGliteTestDatabase extends TestDatabaseCommon {
  readonly kind: 'pglite';
  /** The suite's instance; go through `dataSourceOptions`/`query` so leases keep statements apart. */
  readonly pglite: PGlite;
}

export type TestDatabase = PostgresTestDatabase | PGliteTestDatabase;

/** A database the harness opened and will close after the suite. */
export type LiveTestDatabase = TestDatabase & { close(): Promise<void> };

export class LivePostgresDatabase implements PostgresTestDatabase {
  readonly kind = 'postgres' as const;
  readonly url: string;
  readonly #schema: SuiteSchema;
  readonly #suiteName: string;
  #pool: Pool | undefined;
  readonly #poolErrors: Error[] = [];

  private constructor(url: string, schema: SuiteSchema, suiteName: string) {
    this.url = url;
    this.#schema = schema;
    this.#suiteName = suiteName;
  }

  static async open(url: string, suiteName: string): Promise<LivePostgresDatabase> {
    return new LivePostgresDatabase(url, await SuiteSchema.create(url), suiteName);
  }

  get schema(): string {
    return this.#schema.name;
  }

  pgConfig(): ClientConfig {
    return {
      connectionString: this.url,
      // The drop finds sessions the suite left behind by this name (see SuiteSchema.drop).
      application_name: this.schema,
      options: `-c search_path=${searchPathOf(this.schema)}`,
    };
  }

  dataSourceOptions(
    entities: DataSourceEntities,
    overrides: DataSourceOverrides = {},
  ): PostgresDataSourceOptions {
    const extra: Record<string, unknown> = { ...overrides.extra };
    const ownOptions = typeof extra['options'] === 'string' ? ` ${extra['options']}` : '';
    return {
      ...overrides,
      type: 'postgres',
      url: this.url,
      schema: this.schema,
      applicationName: this.schema,
      entities,
      // TypeORM qualifies its own tables with `schema`; the search path covers raw SQL too.
      extra: { ...extra, options: `-c search_path=${searchPathOf(this.schema)}${ownOptions}` },
    };
  }

  async query<R extends QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<R[]> {
    this.#pool ??= this.#createPool();
    return (await this.#pool.query<R>(sql, [...params])).rows;
  }

  async close(): Promise<void> {
    await this.#pool?.end();
    const { terminatedSessions } = await this.#schema.drop();
    if (terminatedSessions > 0) {
      console.warn(
        `Suite "${this.#suiteName}" left ${terminatedSessions} PostgreSQL session(s) running or inside a ` +
          `transaction; they were terminated so that schema ${this.schema} could be dropped. ` +
          "Destroy DataSources and end pools in the suite's afterAll.",
      );
    }
    if (this.#poolErrors.length > 0) {
      throw new AggregateError(
        this.#poolErrors,
        `the query pool of suite "${this.#suiteName}" lost connections`,
      );
    }
  }

  #createPool(): Pool {
    const pool = new Pool({ ...this.pgConfig(), max: 2 });
    // An idle connection that breaks reports here, not to any query; kept and thrown from close().
    pool.on('error', (error) => {
      this.#poolErrors.push(error);
    });
    return pool;
  }
}

export class LivePGliteDatabase implements PGliteTestDatabase {
  readonly kind = 'pglite' as const;
  readonly pglite: PGlite;
  readonly schema: string;
  readonly #pool: PGlitePool;

  private constructor(pglite: PGlite, schema: string, pool: PGlitePool) {
    this.pglite = pglite;
    this.schema = schema;
    this.#pool = pool;
  }

  static async open(): Promise<LivePGliteDatabase> {
    const pglite = await createTestPGlite();
    try {
      const pool = new PGlitePool(pglite);
      // A schema even though the instance is the suite's alone, so suites read the same on both
      // kinds. PGlite is one session, so setting the search path once covers every lease.
      const schema = newSchemaName();
      await pool.query(`CREATE SCHEMA ${schema}`);
      await pool.query(`SET search_path TO ${searchPathOf(schema)}`);
      return new LivePGliteDatabase(pglite, schema, pool);
    } catch (error: unknown) {
      await pglite.close();
      throw error;
    }
  }

  dataSourceOptions(
    entities: DataSourceEntities,
    overrides: DataSourceOverrides = {},
  ): PostgresDataSourceOptions {
    return pgliteDataSourceOptions(this.pglite, { ...overrides, schema: this.schema, entities });
  }

  async query<R extends QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<R[]> {
    return (await this.#pool.query<R>(sql, params)).rows;
  }

  /** Discards the whole instance, schema and all. */
  async close(): Promise<void> {
    await this.#pool.end();
    await this.pglite.close();
  }
}
