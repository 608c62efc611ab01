// The two services' databases. Embedded: one PGlite (PostgreSQL in WebAssembly) per service, each
// in its own directory under the data dir. With DATABASE_URL: one schema per service on that
// PostgreSQL server. Either way the services never share a database: they talk through messages.
//
// Tables come from the entities (TypeORM's synchronize, fine for an example; use migrations in a
// real service) and Keel's own tables from the runtime (ensureTables).

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pgliteDataSourceOptions, type PostgresDataSourceOptions } from '@keel/tx';
import { Client } from 'pg';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { Coupon } from '../order/coupon';
import { Order } from '../order/order';
import { Product } from '../order/product';
import { Account } from '../payment/account';
import { Payment } from '../payment/payment';
import { Shipment } from '../shipping/shipment';
import { openPGlite } from './pglite-template';

export type ServiceName = 'order' | 'payment';

// Shipping keeps its table in the order service's database (docs/example.md says why).
const ENTITIES: Readonly<Record<ServiceName, NonNullable<PostgresDataSourceOptions['entities']>>> = {
  order: [Product, Coupon, Order, Shipment],
  payment: [Account, Payment],
};

export type DatabaseTarget =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schemaPrefix: string };

export const DEFAULT_SCHEMA_PREFIX = 'keel_example';

/** The schema (PostgreSQL) or directory name (PGlite) of a service's database. */
export function databaseName(target: DatabaseTarget, service: ServiceName): string {
  return target.kind === 'postgres'
    ? `${target.schemaPrefix}_${service}`
    : join(target.dataDir, 'db', service);
}

export interface ServiceDatabase {
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Drop what a previous run left (PostgreSQL: the schema) and start empty. */
  readonly fresh: boolean;
  /** Connections per service on PostgreSQL (PGlite has one session). */
  readonly poolSize?: number;
  readonly logger?: TypeOrmLogger;
}

export async function openServiceDatabase(
  target: DatabaseTarget,
  service: ServiceName,
  options: OpenOptions,
): Promise<ServiceDatabase> {
  return target.kind === 'pglite'
    ? openEmbedded(databaseName(target, service), service, options)
    : openPostgres(target.url, databaseName(target, service), service, options);
}

async function openEmbedded(
  directory: string,
  service: ServiceName,
  options: OpenOptions,
): Promise<ServiceDatabase> {
  // PGlite creates its data directory's last level only.
  mkdirSync(dirname(directory), { recursive: true });
  const pglite = await openPGlite(directory);
  try {
    const dataSource = await new DataSource(
      pgliteDataSourceOptions(pglite, {
        entities: ENTITIES[service],
        synchronize: true,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      }),
    ).initialize();
    return {
      dataSource,
      close: async () => {
        await dataSource.destroy();
        await pglite.close();
      },
    };
  } catch (error: unknown) {
    await pglite.close();
    throw error;
  }
}

async function openPostgres(
  url: string,
  schema: string,
  service: ServiceName,
  options: OpenOptions,
): Promise<ServiceDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`schema name ${schema} must be lowercase letters, digits and _ (it is used unquoted)`);
  }
  const admin = new Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (error: unknown) {
    throw new Error(
      `cannot connect to the PostgreSQL server of DATABASE_URL (${withoutPassword(url)}): ` +
        `${error instanceof Error ? error.message : String(error)}; start it, fix DATABASE_URL, or unset ` +
        'DATABASE_URL to use embedded PGlite',
      { cause: error },
    );
  }
  try {
    if (options.fresh) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await admin.end();
  }
  const dataSource = await new DataSource({
    type: 'postgres',
    url,
    schema,
    applicationName: `keel-example-${service}`,
    entities: ENTITIES[service],
    synchronize: true,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    // The search path puts raw SQL (ours and Keel's tables) in the service's schema too.
    extra: { options: `-c search_path=${schema}`, max: options.poolSize ?? 10 },
  }).initialize();
  return { dataSource, close: () => dataSource.destroy() };
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<not a URL>';
  }
}
