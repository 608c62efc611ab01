// `describeWithDatabase`: a jest `describe` whose suite gets a database of its own.
//
//   describeWithDatabase('orders', (db) => {
//     let dataSource: DataSource;
//     beforeAll(async () => { dataSource = await new DataSource(db().dataSourceOptions([Order])).initialize(); });
//     afterAll(() => dataSource.destroy());
//     test('...', async () => { ... });
//   });
//
// On PostgreSQL the suite gets a fresh schema, dropped after it; on PGlite (when the run found no
// server) a fresh in-memory instance, closed after it. A suite that declares `needs` runs only on
// PostgreSQL; without a server it is skipped, and says so in a box nobody can miss.

import {
  howToRunWithPostgres,
  planSuite,
  readWorkerDecision,
  warnBox,
  type DatabaseNeed,
} from './database-decision';
import {
  LivePGliteDatabase,
  LivePostgresDatabase,
  type LiveTestDatabase,
  type PostgresTestDatabase,
  type TestDatabase,
} from './test-database';

export interface SuiteOptions {
  /** What the suite cannot run without; such a suite is skipped when only PGlite is available. */
  readonly needs?: DatabaseNeed;
}

// Creating a PGlite runs initdb in WebAssembly (see pglite-template.ts): seconds, more under load.
const SETUP_TIMEOUT_MS = 120_000;

/** A suite that needs PostgreSQL only ever runs on it, so its accessor is typed for it. */
export function describeWithDatabase(
  name: string,
  options: SuiteOptions & { readonly needs: DatabaseNeed },
  body: (db: () => PostgresTestDatabase) => void,
): void;
export function describeWithDatabase(
  name: string,
  options: SuiteOptions,
  body: (db: () => TestDatabase) => void,
): void;
export function describeWithDatabase(name: string, body: (db: () => TestDatabase) => void): void;
export function describeWithDatabase(
  name: string,
  optionsOrBody: SuiteOptions | ((db: () => PostgresTestDatabase) => void),
  maybeBody?: (db: () => PostgresTestDatabase) => void,
): void {
  const options = typeof optionsOrBody === 'function' ? {} : optionsOrBody;
  const body = typeof optionsOrBody === 'function' ? optionsOrBody : maybeBody;
  if (body === undefined) throw new TypeError(`describeWithDatabase('${name}', options) needs a body`);

  const plan = planSuite(readWorkerDecision(process.env), options.needs);
  if (plan.kind === 'skip') {
    console.warn(warnBox(`SKIPPED: suite "${name}"`, [`Why: ${plan.why}.`, '', ...howToRunWithPostgres()]));
    describe.skip(name, () =>
      body(() => {
        throw new Error(`suite "${name}" is skipped: ${plan.why}`);
      }),
    );
    return;
  }

  describe(name, () => {
    let database: LiveTestDatabase | undefined;
    beforeAll(async () => {
      database =
        plan.kind === 'postgres'
          ? await LivePostgresDatabase.open(plan.url, name)
          : await LivePGliteDatabase.open();
    }, SETUP_TIMEOUT_MS);

    // Only suites without `needs` reach PGlite (planSuite), and their body takes any TestDatabase;
    // the overloads give the PostgreSQL-only accessor type to the others.
    body(() => {
      if (database === undefined) {
        throw new Error(
          `db() of suite "${name}" is usable in its hooks and tests, not while jest collects them`,
        );
      }
      return database as PostgresTestDatabase;
    });

    // Registered after the body: jest runs afterAll hooks in registration order, so the suite's own
    // (destroying its DataSources) run first, and the schema is dropped even when tests failed.
    afterAll(async () => {
      const closing = database;
      database = undefined;
      await closing?.close();
    }, SETUP_TIMEOUT_MS);
  });
}
