// Creates Keel's tables if they are missing: the explicit alternative to the migration, for
// applications without migrations and for the embedded (PGlite) setup.

import type { DataSource } from 'typeorm';
import { createKeelTablesSql } from './keel-tables-ddl';
import { DEFAULT_KEEL_TABLES, type KeelTables } from './keel-tables';

export interface EnsureKeelTablesOptions {
  readonly tables?: KeelTables;
}

// CREATE TABLE IF NOT EXISTS is not safe against itself: two sessions creating the same table at
// once can both pass the check and one fails on the catalog's unique index. Services starting
// together would hit that, so creators queue on a transaction-scoped advisory lock.
const LOCK_SQL = 'SELECT pg_advisory_xact_lock(hashtext($1))';

export async function ensureKeelTables(
  dataSource: DataSource,
  options: EnsureKeelTablesOptions = {},
): Promise<void> {
  const tables = options.tables ?? DEFAULT_KEEL_TABLES;
  await dataSource.transaction(async (manager) => {
    await manager.query(LOCK_SQL, [`keel-tables:${tables.barrierTable}`]);
    for (const statement of createKeelTablesSql(tables)) await manager.query(statement);
  });
}
