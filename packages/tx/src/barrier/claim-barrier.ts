// The barrier claim a new Keel transaction makes as its first statement (after an inbox row, for
// idempotent handlers). Claiming fails when the id's row exists, which means either a check-back
// already decided ROLLBACK for this id (the late-commit case of the check-back race) or another
// transaction used the id. Either way this transaction must not commit.

import { BarrierConflictError } from '../errors';
import type { KeelTables } from '../schema/keel-tables';
import { explainMissingTables } from '../schema/tables-missing';
import { SqlState, sqlStateOf } from '../sql-state';
import { insertBarrier } from '../sql/insert-barrier';
import { readBarrierOutcome } from '../sql/read-barrier-outcome';
import type { SqlRunner } from '../sql/sql-runner';

export async function claimBarrier(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
  nowMs: number,
): Promise<void> {
  let inserted: boolean;
  try {
    inserted = await insertBarrier(runner, tables, transactionId, nowMs);
  } catch (error: unknown) {
    // Under REPEATABLE READ or SERIALIZABLE, waiting for a concurrent claimant that then commits
    // ends in a serialization failure instead of DO NOTHING; the claimant's row is not readable.
    if (sqlStateOf(error) === SqlState.SERIALIZATION_FAILURE) {
      throw new BarrierConflictError(transactionId, 'unknown', { cause: error });
    }
    throw explainMissingTables(error, tables);
  }
  if (inserted) return;
  const reading = await readBarrierOutcome(runner, tables, transactionId);
  throw new BarrierConflictError(
    transactionId,
    reading === 'rolled_back' ? 'check-back' : reading === 'committed' ? 'another-transaction' : 'unknown',
  );
}
