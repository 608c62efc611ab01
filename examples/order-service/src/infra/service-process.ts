// What the two service processes of the multi-process mode share: their command line, their
// database (PGlite in a directory, or a schema of DATABASE_URL), seeding the demo data on first
// start, a ready line the scripts and tests wait for, and a graceful stop on SIGTERM or Ctrl-C.
//
//   node dist/order-service.js   [--name-server host:port] [--port N] [--data-dir DIR] [--schema-prefix P]
//   node dist/payment-service.js [--name-server host:port] [--port N] [--data-dir DIR] [--schema-prefix P]

import 'reflect-metadata';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { closestMatch, createLogger, systemClock, type Logger } from '@keel/broker';
import { listenOnEphemeralPort } from '@keel/broker/testing';
import type { DataSource } from 'typeorm';
import { planScenario, type ScenarioPlan } from '../scenario/scenario-plan';
import {
  DEFAULT_SCHEMA_PREFIX,
  openServiceDatabase,
  type DatabaseTarget,
  type ServiceName,
} from './databases';

export interface ServiceProcessOptions {
  readonly nameServer: string;
  readonly port: number;
  readonly database: DatabaseTarget;
}

const OPTIONS = ['--name-server', '--port', '--data-dir', '--schema-prefix'] as const;

/** Parses the command line; a mistake is one line naming the option and the fix. */
export function parseServiceOptions(
  service: ServiceName,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServiceProcessOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index += 2) {
    const name = args[index] ?? '';
    const value = args[index + 1];
    if (!(OPTIONS as readonly string[]).includes(name)) {
      const suggestion = closestMatch(name, OPTIONS);
      throw new Error(
        `unknown option ${name}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`,
      );
    }
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    values.set(name, value);
  }
  const port = Number(values.get('--port') ?? (service === 'order' ? 8080 : 8081));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a port number from 0 to 65535, got ${values.get('--port') ?? ''}`);
  }
  const url = env['DATABASE_URL']?.trim();
  const database: DatabaseTarget =
    url === undefined || url === ''
      ? { kind: 'pglite', dataDir: resolve(values.get('--data-dir') ?? join('.keel-example', service)) }
      : { kind: 'postgres', url, schemaPrefix: values.get('--schema-prefix') ?? DEFAULT_SCHEMA_PREFIX };
  return { nameServer: values.get('--name-server') ?? '127.0.0.1:9876', port, database };
}

/** The starting data of the demo (the same as `npm run example`'s with its defaults). */
export function demoData(): ScenarioPlan {
  return planScenario({ orders: 1_000, users: 50, seed: 1, clientFaults: false });
}

export interface RunningService {
  readonly server: Server;
  stop(): Promise<void>;
}

/**
 * Runs one service process: opens its database, seeds it on first start, starts it with `start`,
 * prints the ready line, and stops gracefully on SIGTERM or SIGINT.
 */
export async function runServiceProcess(
  service: ServiceName,
  args: readonly string[],
  start: (dataSource: DataSource, options: ServiceProcessOptions, logger: Logger) => Promise<RunningService>,
  seedIfEmpty: (dataSource: DataSource, data: ScenarioPlan) => Promise<boolean>,
): Promise<void> {
  const options = parseServiceOptions(service, args, process.env);
  const logger = createLogger({ clock: systemClock, component: `${service}-service`, level: 'info' });
  // Not fresh: a restarted process carries on with what its database holds.
  const database = await openServiceDatabase(options.database, service, { fresh: false });
  try {
    if (await seedIfEmpty(database.dataSource, demoData())) logger.info('seeded the demo data');
    const running = await start(database.dataSource, options, logger);
    try {
      const port = await listen(running.server, options.port);
      logger.info('ready', { url: `http://127.0.0.1:${port}`, pid: process.pid });
      await new Promise<void>((resolveSignal) => {
        process.once('SIGTERM', () => resolveSignal());
        process.once('SIGINT', () => resolveSignal());
      });
      logger.info('stopping');
    } finally {
      running.server.closeAllConnections();
      running.server.close();
      await running.stop();
    }
  } finally {
    await database.close();
  }
}

function listen(server: Server, port: number): Promise<number> {
  if (port === 0) return listenOnEphemeralPort(server);
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen(port));
  });
}
