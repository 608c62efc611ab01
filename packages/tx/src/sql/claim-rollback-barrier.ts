// claimRollbackBarrier — a check-back's claim that the transaction did not commit.
//
//   parameters: $1 tx_id, $2 created_at (timestamptz text)
//   returns:    true when the rolled_back row was inserted (no transaction had committed the id);
//               false when a row existed (committed by the transaction, or an earlier check)
//
// While the transaction holds its uncommitted barrier row this waits for it (bounded by the
// caller's lock_timeout); once inserted and committed, the transaction can never commit.

import type { KeelTables } from '../schema/keel-tables';
import { rowsOf, timestampParam, type SqlRunner } from './sql-runner';

export async function claimRollbackBarrier(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
  nowMs: number,
): Promise<boolean> {
  const rows = rowsOf(
    await runner.query(
      `INSERT INTO ${tables.barrierTable} (tx_id, outcome, created_at)
       VALUES ($1, 'rolled_back', $2::timestamptz)
       ON CONFLICT (tx_id) DO NOTHING
       RETURNING tx_id`,
      [transactionId, timestampParam(nowMs)],
    ),
  );
  return rows.length === 1;
}
