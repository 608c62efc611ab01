// Inbox retention: deletes rows of messages handled more than `olderThanMs` ago, in batches of
// `batchSize`, each its own short statement so no long lock is held on a busy table.
//
// A purged row no longer stops a duplicate: keep `olderThanMs` longer than any redelivery can
// arrive (RocketMQ's default retry schedule of 16 delays spans about 4 h 46 min, and a DLQ
// resend can come days later).

import type { Clock } from '@keel/broker';
import type { DataSource } from 'typeorm';
import { TxError, TxErrorCodes } from '../errors';
import { DEFAULT_KEEL_TABLES, type KeelTables } from '../schema/keel-tables';
import { explainMissingTables } from '../schema/tables-missing';
import { deleteOldInboxRows } from '../sql/delete-old-inbox-rows';

export interface PurgeInboxOptions {
  /** Rows per DELETE. Default 1000. */
  readonly batchSize?: number;
  readonly tables?: KeelTables;
}

export const DEFAULT_PURGE_BATCH_SIZE = 1_000;
const MAX_PURGE_BATCH_SIZE = 100_000;

/** Deletes inbox rows handled before `clock.now() - olderThanMs`; returns how many. */
export async function purgeInbox(
  dataSource: DataSource,
  olderThanMs: number,
  clock: Clock,
  options: PurgeInboxOptions = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
    throw invalid(`olderThanMs must be a whole number of ms of at least 0, got ${String(olderThanMs)}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_PURGE_BATCH_SIZE) {
    throw invalid(
      `batchSize must be a whole number from 1 to ${MAX_PURGE_BATCH_SIZE}, got ${String(batchSize)}`,
    );
  }
  const tables = options.tables ?? DEFAULT_KEEL_TABLES;
  // Fixed at the start, so rows handled while the purge runs cannot keep it going.
  const cutoffMs = clock.now() - olderThanMs;
  const runner = dataSource.createQueryRunner();
  try {
    let total = 0;
    for (;;) {
      const deleted = await deleteOldInboxRows(runner, tables, cutoffMs, batchSize);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  } catch (error: unknown) {
    throw explainMissingTables(error, tables);
  } finally {
    await runner.release();
  }
}

function invalid(message: string): TxError {
  return new TxError(TxErrorCodes.INVALID_ARGUMENT, `purgeInbox: ${message}`);
}
