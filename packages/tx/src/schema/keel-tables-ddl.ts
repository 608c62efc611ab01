// The DDL of Keel's tables, shared by the migration and ensureKeelTables.
//
//   <prefix>tx_barrier                         <prefix>inbox
//   ┌──────────────┬──────────────────────┐    ┌────────────────┬──────────────────────┐
//   │ tx_id     PK │ varchar(128)         │    │ consumer_group │ varchar(255) ┐ PK    │
//   │ outcome      │ committed|rolled_back│    │ message_key    │ varchar(255) ┘       │
//   │ created_at   │ timestamptz, indexed │    │ handled_at     │ timestamptz, indexed │
//   └──────────────┴──────────────────────┘    └────────────────┴──────────────────────┘
//
// The primary keys are the whole mechanism: a second insert of the same key waits for the first
// inserter's transaction and then conflicts (see docs/tx.md). Times come from the caller's Clock,
// not the database's now(), so retention can be tested with a fake clock. Statements are
// idempotent (IF NOT EXISTS), so the migration and ensureKeelTables can both run.

import type { KeelTables } from './keel-tables';

/** Longest transaction id the barrier accepts; a UUID is 36. */
export const MAX_TRANSACTION_ID_LENGTH = 128;
/** Longest consumer group (RocketMQ's limit) and message key the inbox accepts. */
export const MAX_INBOX_FIELD_LENGTH = 255;

export const BARRIER_OUTCOMES = ['committed', 'rolled_back'] as const;
export type BarrierOutcome = (typeof BARRIER_OUTCOMES)[number];

export function createKeelTablesSql(tables: KeelTables): string[] {
  const indexName = `"${tables.prefix}inbox_handled_at_idx"`;
  // No longer than the inbox index's name, which bounds the prefix (keel-tables.ts).
  const barrierIndexName = `"${tables.prefix}barrier_created_idx"`;
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.barrierTable} (
      tx_id varchar(${MAX_TRANSACTION_ID_LENGTH}) PRIMARY KEY,
      outcome varchar(16) NOT NULL CHECK (outcome IN ('committed', 'rolled_back')),
      created_at timestamptz NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${tables.inboxTable} (
      consumer_group varchar(${MAX_INBOX_FIELD_LENGTH}) NOT NULL,
      message_key varchar(${MAX_INBOX_FIELD_LENGTH}) NOT NULL,
      handled_at timestamptz NOT NULL,
      PRIMARY KEY (consumer_group, message_key)
    )`,
    // Retention deletes by age; without these indexes each purge batch would scan the whole table.
    `CREATE INDEX IF NOT EXISTS ${indexName} ON ${tables.inboxTable} (handled_at)`,
    `CREATE INDEX IF NOT EXISTS ${barrierIndexName} ON ${tables.barrierTable} (created_at)`,
  ];
}

export function dropKeelTablesSql(tables: KeelTables): string[] {
  return [`DROP TABLE IF EXISTS ${tables.inboxTable}`, `DROP TABLE IF EXISTS ${tables.barrierTable}`];
}
