// deleteOldRows — one retention batch of a Keel table: deletes up to $2 rows whose time column is
// before $1, oldest first.
//
//   parameters: $1 cutoff (timestamptz text), $2 batch size
//   returns:    the number of rows deleted
//
// SKIP LOCKED: rows another purge is deleting are left to it rather than waited for.
//
// Barrier rows of both outcomes go once the broker can no longer check a transaction's half
// messages (see barrier/purge-barriers.ts for the bound); inbox rows once duplicates of their
// message can no longer arrive (inbox/purge-inbox.ts).

import type { QueryRunner } from 'typeorm';
import type { KeelTables } from '../schema/keel-tables';
import { timestampParam } from './sql-runner';

export type RetainedTable = 'barrier' | 'inbox';

const TABLE_SHAPES = {
  barrier: { table: (t: KeelTables) => t.barrierTable, key: 'tx_id', time: 'created_at' },
  inbox: { table: (t: KeelTables) => t.inboxTable, key: 'consumer_group, message_key', time: 'handled_at' },
} as const;

/** The batch deleter of one table, in the shape purgeInBatches calls. */
export function deleteOldRows(which: RetainedTable) {
  const shape = TABLE_SHAPES[which];
  return async (
    runner: Pick<QueryRunner, 'query'>,
    tables: KeelTables,
    cutoffMs: number,
    batchSize: number,
  ): Promise<number> => {
    const table = shape.table(tables);
    const result = await runner.query(
      `DELETE FROM ${table}
        WHERE (${shape.key}) IN (
          SELECT ${shape.key} FROM ${table}
           WHERE ${shape.time} < $1::timestamptz
           ORDER BY ${shape.time}
           LIMIT $2
           FOR UPDATE SKIP LOCKED)`,
      [timestampParam(cutoffMs), batchSize],
      true,
    );
    return result.affected ?? 0;
  };
}
