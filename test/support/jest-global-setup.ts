// Jest globalSetup: decides once per run whether tests use the PostgreSQL server or embedded
// PGlite (see database-decision.ts) and hands the decision to the workers through the environment,
// which they inherit because jest starts them after this has run. Runs outside jest's module
// mapping, so it imports by relative path only.

import {
  decideDatabase,
  howToRunWithPostgres,
  parseRequirePostgres,
  PROBE_TIMEOUT_MS,
  redactUrl,
  resolveDatabaseUrl,
  TEST_ENV,
  warnBox,
} from './database-decision';
import { sweepAbandonedSchemas } from './postgres-schema';
import { probePostgres } from './probe-postgres';

export default async function globalSetup(): Promise<void> {
  const env = process.env;
  const url = resolveDatabaseUrl(env);
  const decision = decideDatabase(await probePostgres(url, PROBE_TIMEOUT_MS), {
    requirePostgres: parseRequirePostgres(env[TEST_ENV.requirePostgres]),
    displayUrl: redactUrl(url),
  });
  switch (decision.kind) {
    case 'fail':
      throw new Error(decision.message);
    case 'postgres': {
      env[TEST_ENV.database] = 'postgres';
      delete env[TEST_ENV.fallbackReason];
      const dropped = await sweepAbandonedSchemas(url);
      if (dropped.length > 0) {
        console.log(`Dropped ${dropped.length} test schema(s) left by runs that died: ${dropped.join(', ')}`);
      }
      return;
    }
    case 'pglite':
      env[TEST_ENV.database] = 'pglite';
      env[TEST_ENV.fallbackReason] = decision.reason;
      console.warn(
        warnBox('NO POSTGRESQL: database tests run on embedded PGlite', [
          `Because ${decision.reason}.`,
          'Suites that need PostgreSQL are SKIPPED; each one says so below.',
          '',
          ...howToRunWithPostgres(),
        ]),
      );
      return;
  }
}
