// deleteOldInboxRows — one retention batch: deletes up to $2 inbox rows handled before $1.
//
//   parameters: $1 cutoff (timestamptz text), $2 batch size
//   returns:    the number of rows deleted
//
// SKIP LOCKED: rows another purge is deleting are left to it rather than waited for.

import type { QueryRunner } from 'typeorm';
import type { KeelTables } from '../schema/keel-tables';
import { timestampParam } from './sql-runner';

export async function deleteOldInboxRows(
  runner: Pick<QueryRunner, 'query'>,
  tables: KeelTables,
  cutoffMs: number,
  batchSize: number,
): Promise<number> {
  const result = await runner.query(
    `DELETE FROM ${tables.inboxTable}
      WHERE (consumer_group, message_key) IN (
        SELECT consumer_group, message_key FROM ${tables.inboxTable}
         WHERE handled_at < $1::timestamptz
         ORDER BY handled_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)`,
    [timestampParam(cutoffMs), batchSize],
    true,
  );
  return result.affected ?? 0;
}
