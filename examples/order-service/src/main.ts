// `npm run example`: the whole system in this process (name server, broker, order service with
// shipping, payment service, HTTP API) on embedded PGlite or on PostgreSQL (DATABASE_URL), a
// scenario of orders with faults injected, and a report whose invariant checks decide the exit
// code: 0 only if every one holds. See docs/example.md.

import 'reflect-metadata';
import { join } from 'node:path';
import { systemClock } from '@keel/broker';
import { DEFAULT_SCHEMA_PREFIX, type DatabaseTarget } from './infra/databases';
import { DataDirError, prepareDataDir, removeDataDir } from './infra/data-dir';
import { openFileLog } from './infra/file-logger';
import { OptionsError, parseScenarioOptions, USAGE } from './scenario/options';
import { allHold, formatReport } from './scenario/report';
import { runScenario } from './scenario/run-scenario';

async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseScenarioOptions(args);
  } catch (error: unknown) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let dataDir;
  try {
    dataDir = prepareDataDir(options.dataDir);
  } catch (error: unknown) {
    if (!(error instanceof DataDirError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const databaseUrl = process.env['DATABASE_URL']?.trim();
  const database: DatabaseTarget =
    databaseUrl === undefined || databaseUrl === ''
      ? { kind: 'pglite', dataDir: dataDir.path }
      : { kind: 'postgres', url: databaseUrl, schemaPrefix: DEFAULT_SCHEMA_PREFIX };
  const log = openFileLog(join(dataDir.path, 'example.log'), systemClock);
  process.stdout.write(
    `Data directory ${dataDir.path}; databases: ${
      database.kind === 'pglite'
        ? 'embedded PGlite, one per service'
        : `PostgreSQL, schemas ${DEFAULT_SCHEMA_PREFIX}_order and ${DEFAULT_SCHEMA_PREFIX}_payment`
    }\n`,
  );

  let ok = false;
  try {
    const { report, system } = await runScenario({
      ...options,
      dataDir: dataDir.path,
      database,
      clock: systemClock,
      logger: log.logger,
      out: process.stdout,
    });
    ok = allHold(report.verdicts);
    process.stdout.write(formatReport(report));
    if (options.serve) await serveUntilInterrupted(system.apiUrl);
    await system.stop();
  } catch (error: unknown) {
    process.stderr.write(`The example failed: ${describe(error)}\n`);
    log.logger.error('the example failed', { error: error instanceof Error ? error : String(error) });
    if (error instanceof Error && error.stack !== undefined) log.write(error.stack);
    ok = false;
  } finally {
    await log.close();
  }
  // The faults make clients and servers log warnings (failed pulls while the broker is down, lost
  // END_TRANSACTIONs); the count tells whether there were more than that.
  const logged = `${log.problems()} warnings or errors were logged`;
  if (ok && dataDir.temporary) {
    removeDataDir(dataDir);
    process.stdout.write(`${logged} (--data-dir DIR keeps the data and the log).\n`);
  } else {
    process.stdout.write(`${logged}; the log is ${log.path} (data kept in ${dataDir.path}).\n`);
  }
  return ok ? 0 : 1;
}

function serveUntilInterrupted(apiUrl: string): Promise<void> {
  process.stdout.write(
    `\nThe HTTP API is up at ${apiUrl} (Ctrl-C stops it). Try:\n` +
      `  curl -s ${apiUrl}/products/MUG\n` +
      `  curl -s ${apiUrl}/accounts/user-001\n` +
      `  curl -s -X POST ${apiUrl}/orders -H 'Idempotency-Key: my-first-order' \\\n` +
      `       -H 'content-type: application/json' -d '{"userId":"user-001","sku":"MUG","qty":1}'\n` +
      `  curl -s ${apiUrl}/orders/<id from the answer>\n`,
  );
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.write('\nStopping…\n');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The message and those of its causes; the stack goes to the log. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? '' : `\n  caused by: ${describe(error.cause)}`;
  return `${error.message}${cause}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Not expected at all (the run's own failures are reported above): show where it came from.
    process.stderr.write(
      `The example failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
