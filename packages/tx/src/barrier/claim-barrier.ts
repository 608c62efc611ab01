// The barrier claim of a Keel transaction: its committed row, inserted before anything that can
// make the broker check back (the first half message carrying its id), so every check meets the
// row: waiting on its lock while the transaction runs, conflicting once it committed. Claiming
// fails when the id's row exists, which means either a check-back already decided ROLLBACK for the
// id (the late-commit case of the check-back race) or another transaction used the id. Either way
// this transaction must not commit.

import { BarrierConflictError, type BarrierClaimant } from '../errors';
import type { KeelTables } from '../schema/keel-tables';
import { explainMissingTables } from '../schema/tables-missing';
import { SqlState, sqlStateOf } from '../sql-state';
import { insertBarrierRow } from '../sql/insert-barrier-row';
import { readBarrierOutcome, type BarrierReading } from '../sql/read-barrier-outcome';
import type { SqlRunner } from '../sql/sql-runner';

export async function claimBarrier(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
  nowMs: number,
): Promise<void> {
  let inserted: boolean;
  try {
    inserted = await insertBarrierRow(runner, tables, transactionId, 'committed', nowMs);
  } catch (error: unknown) {
    // Under REPEATABLE READ or SERIALIZABLE, waiting for a concurrent claimant that then commits
    // ends in a serialization failure instead of DO NOTHING; the claimant's row is not readable.
    if (sqlStateOf(error) === SqlState.SERIALIZATION_FAILURE) {
      throw new BarrierConflictError(transactionId, 'unknown', { cause: error });
    }
    throw explainMissingTables(error, tables);
  }
  if (!inserted) throw await barrierTakenError(runner, tables, transactionId, undefined);
}

/**
 * The error for a claim that found the id taken, naming who took it when the row can be read.
 * Reading it is only a diagnosis: when the read fails (a broken connection, an aborted
 * transaction), the conflict is still the answer, claimed by 'unknown' with the read's error as
 * its cause; `cause` is the error that reported the conflict, if one did.
 */
export async function barrierTakenError(
  runner: SqlRunner,
  tables: KeelTables,
  transactionId: string,
  cause: unknown,
): Promise<BarrierConflictError> {
  let reading: BarrierReading;
  try {
    reading = await readBarrierOutcome(runner, tables, transactionId);
  } catch (readError: unknown) {
    return new BarrierConflictError(transactionId, 'unknown', { cause: readError });
  }
  return new BarrierConflictError(transactionId, claimantOf(reading), cause === undefined ? {} : { cause });
}

function claimantOf(reading: BarrierReading): BarrierClaimant {
  switch (reading) {
    case 'rolled_back':
      return 'check-back';
    case 'committed':
      return 'another-transaction';
    case 'missing':
    case 'unexpected':
      return 'unknown';
  }
}
