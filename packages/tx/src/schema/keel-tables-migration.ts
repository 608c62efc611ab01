// Keel's tables as a TypeORM migration, for applications that manage their schema with
// migrations: add `KeelTablesMigration` (or one made for custom names) to the DataSource's
// `migrations`. The DDL is idempotent, so it is also safe where ensureKeelTables already ran.

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createKeelTablesSql, dropKeelTablesSql } from './keel-tables-ddl';
import { DEFAULT_KEEL_TABLES, type KeelTables } from './keel-tables';

// TypeORM orders migrations by the 13-digit timestamp that ends their name; this one is
// 2025-01-01T00:00:00Z, so it runs before application migrations written since.
const MIGRATION_TIMESTAMP = '1735689600000';

export type KeelTablesMigrationClass = new () => MigrationInterface;

/** A migration class creating the tables named by `tables` (and dropping them on revert). */
export function createKeelTablesMigration(
  tables: KeelTables = DEFAULT_KEEL_TABLES,
): KeelTablesMigrationClass {
  // Distinct names for distinct tables, so two Keel table sets can live in one migrations list.
  const qualifier = `${tables.schema === undefined ? '' : `${tables.schema}_`}${tables.prefix}`;
  const name = `KeelTables${qualifier === DEFAULT_KEEL_TABLES.prefix ? '' : `_${qualifier}_`}${MIGRATION_TIMESTAMP}`;
  return class KeelTablesMigration implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of createKeelTablesSql(tables)) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of dropKeelTablesSql(tables)) await queryRunner.query(statement);
    }
  };
}

/** The migration for the default table names (`keel_tx_barrier`, `keel_inbox`). */
export const KeelTablesMigration: KeelTablesMigrationClass = createKeelTablesMigration();
