// The shape both retention purges share (inbox rows, barrier rows): the cutoff fixed once at
// `clock.now() - olderThanMs`, so rows written while the purge runs cannot keep it going, then one
// short DELETE of at most `batchSize` rows after another, so no long lock is held on a busy table,
// until a batch comes back short.

import type { Clock } from '@keel/broker';
import type { DataSource, QueryRunner } from 'typeorm';
import { TxError, TxErrorCodes } from '../errors';
import { DEFAULT_KEEL_TABLES, type KeelTables } from '../schema/keel-tables';
import { explainMissingTables } from '../schema/tables-missing';

export interface PurgeOptions {
  /** Rows per DELETE. Default 1000. */
  readonly batchSize?: number;
  readonly tables?: KeelTables;
}

export const DEFAULT_PURGE_BATCH_SIZE = 1_000;
const MAX_PURGE_BATCH_SIZE = 100_000;

/** One batch: deletes up to `batchSize` rows older than `cutoffMs`; returns how many. */
export type DeleteBatch = (
  runner: Pick<QueryRunner, 'query'>,
  tables: KeelTables,
  cutoffMs: number,
  batchSize: number,
) => Promise<number>;

/** Deletes rows older than `clock.now() - olderThanMs` with `deleteBatch`; returns how many. */
export async function purgeInBatches(
  caller: string,
  deleteBatch: DeleteBatch,
  dataSource: DataSource,
  olderThanMs: number,
  clock: Clock,
  options: PurgeOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
    throw invalid(
      caller,
      `olderThanMs must be a whole number of ms of at least 0, got ${String(olderThanMs)}`,
    );
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_PURGE_BATCH_SIZE) {
    throw invalid(
      caller,
      `batchSize must be a whole number from 1 to ${MAX_PURGE_BATCH_SIZE}, got ${String(batchSize)}`,
    );
  }
  const tables = options.tables ?? DEFAULT_KEEL_TABLES;
  const cutoffMs = clock.now() - olderThanMs;
  const runner = dataSource.createQueryRunner();
  try {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(runner, tables, cutoffMs, batchSize);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  } catch (error: unknown) {
    throw explainMissingTables(error, tables);
  } finally {
    await runner.release();
  }
}

function invalid(caller: string, message: string): TxError {
  return new TxError(TxErrorCodes.INVALID_ARGUMENT, `${caller}: ${message}`);
}
