// insertBarrier — the first statement of every Keel transaction: claims its id as committed.
//
//   parameters: $1 tx_id, $2 created_at (timestamptz text)
//   returns:    true when the row was inserted; false when the id was taken (its row committed first)
//
// While another transaction holds an uncommitted row for the id, the insert waits for it to end.

import type { KeelTables } from '../schema/keel-tables';
import { rowsOf, timestampParam, type SqlRunner } from './sql-runner';

export async function insertBarrier(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
  nowMs: number,
): Promise<boolean> {
  const rows = rowsOf(
    await runner.query(
      `INSERT INTO ${tables.barrierTable} (tx_id, outcome, created_at)
       VALUES ($1, 'committed', $2::timestamptz)
       ON CONFLICT (tx_id) DO NOTHING
       RETURNING tx_id`,
      [transactionId, timestampParam(nowMs)],
    ),
  );
  return rows.length === 1;
}
