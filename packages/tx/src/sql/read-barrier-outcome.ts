// readBarrierOutcome — what the barrier row of a transaction id says.
//
//   parameters: $1 tx_id
//   returns:    'committed' | 'rolled_back'; 'missing' when there is no row; 'unexpected' for any
//               other value (a table someone altered by hand: the caller must not guess)

import { BARRIER_OUTCOMES, type BarrierOutcome } from '../schema/keel-tables-ddl';
import type { KeelTables } from '../schema/keel-tables';
import { rowsOf, type SqlRunner } from './sql-runner';

export type BarrierReading = BarrierOutcome | 'missing' | 'unexpected';

const OUTCOMES: ReadonlySet<unknown> = new Set(BARRIER_OUTCOMES);

export async function readBarrierOutcome(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
): Promise<BarrierReading> {
  const rows = rowsOf(
    await runner.query(`SELECT outcome FROM ${tables.barrierTable} WHERE tx_id = $1`, [transactionId]),
  );
  const [row] = rows;
  if (row === undefined) return 'missing';
  const outcome = row['outcome'];
  return rows.length === 1 && OUTCOMES.has(outcome) ? (outcome as BarrierOutcome) : 'unexpected';
}
