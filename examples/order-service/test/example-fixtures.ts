// Shared pieces of the example's integration tests: where the two services' databases go on the
// suite's database (two schemas next to the suite's on PostgreSQL, two PGlite directories
// otherwise), their clean-up, and a quiet logger that keeps warnings for a failing test to show.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, systemClock, type Logger } from '@keel/broker';
import type { TestDatabase } from '@keel/test-support';
import { Client } from 'pg';
import type { DatabaseTarget } from '../src/infra/databases';

export interface ExampleDatabases {
  readonly target: DatabaseTarget;
  /** A directory for the broker's store (and the PGlite databases). */
  readonly dataDir: string;
  /** Drops the services' schemas (PostgreSQL) and removes the directory. */
  cleanUp(): Promise<void>;
}

export function exampleDatabases(db: TestDatabase): ExampleDatabases {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-example-test-'));
  // The suite's schema name is unique and starts with keel_t_, so the harness's sweep also drops
  // these two if a run dies before cleaning up.
  const target: DatabaseTarget =
    db.kind === 'postgres'
      ? { kind: 'postgres', url: db.url, schemaPrefix: db.schema }
      : { kind: 'pglite', dataDir };
  return {
    target,
    dataDir,
    async cleanUp() {
      if (target.kind === 'postgres') {
        const client = new Client({ connectionString: target.url });
        await client.connect();
        try {
          for (const service of ['order', 'payment']) {
            await client.query(`DROP SCHEMA IF EXISTS ${target.schemaPrefix}_${service} CASCADE`);
          }
        } finally {
          await client.end();
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A logger that writes nothing but keeps warnings and errors, for assertions and failure output. */
export function quietLogger(): { readonly logger: Logger; readonly problems: string[] } {
  const problems: string[] = [];
  const logger = createLogger({
    clock: systemClock,
    component: 'test',
    level: 'warn',
    sink: (line) => problems.push(line),
  });
  return { logger, problems };
}

/**
 * Runs every clean-up step in order, even when one fails: a failed step must not leave the broker,
 * a runtime or a pool running (jest would not exit). Throws the first failure at the end.
 */
export async function cleanUpAll(steps: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  let failure: { readonly error: unknown } | undefined;
  for (const step of steps) {
    try {
      await step();
    } catch (error: unknown) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}
