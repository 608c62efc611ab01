// insertBarrierRow — claims a transaction id in the barrier table with an outcome:
//
//   'committed'    by the transaction itself, before its first half message (claim-barrier.ts)
//   'rolled_back'  by a check-back that found no committed row (resolve-transaction-check.ts)
//
//   parameters: $1 tx_id, $2 outcome, $3 created_at (timestamptz text)
//   returns:    true when the row was inserted; false when the id was taken (a row committed first)
//
// While another transaction holds an uncommitted row for the id, the insert waits for it to end
// (bounded by the caller's lock_timeout): that wait is what makes the check-back race-free.

import type { BarrierOutcome } from '../schema/keel-tables-ddl';
import type { KeelTables } from '../schema/keel-tables';
import { rowsOf, timestampParam, type SqlRunner } from './sql-runner';

export async function insertBarrierRow(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
  outcome: BarrierOutcome,
  nowMs: number,
): Promise<boolean> {
  const rows = rowsOf(
    await runner.query(
      `INSERT INTO ${tables.barrierTable} (tx_id, outcome, created_at)
       VALUES ($1, $2, $3::timestamptz)
       ON CONFLICT (tx_id) DO NOTHING
       RETURNING tx_id`,
      [transactionId, outcome, timestampParam(nowMs)],
    ),
  );
  return rows.length === 1;
}
