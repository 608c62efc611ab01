// deleteOldBarrierRows — one retention batch: deletes up to $2 barrier rows created before $1.
//
//   parameters: $1 cutoff (timestamptz text), $2 batch size
//   returns:    the number of rows deleted
//
// Rows of both outcomes go: once the broker can no longer check a transaction's half messages,
// nothing reads its row (see barrier/purge-barriers.ts for the bound). SKIP LOCKED: rows another
// purge is deleting are left to it rather than waited for.

import type { QueryRunner } from 'typeorm';
import type { KeelTables } from '../schema/keel-tables';
import { timestampParam } from './sql-runner';

export async function deleteOldBarrierRows(
  runner: Pick<QueryRunner, 'query'>,
  tables: KeelTables,
  cutoffMs: number,
  batchSize: number,
): Promise<number> {
  const result = await runner.query(
    `DELETE FROM ${tables.barrierTable}
      WHERE tx_id IN (
        SELECT tx_id FROM ${tables.barrierTable}
         WHERE created_at < $1::timestamptz
         ORDER BY created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)`,
    [timestampParam(cutoffMs), batchSize],
    true,
  );
  return result.affected ?? 0;
}
