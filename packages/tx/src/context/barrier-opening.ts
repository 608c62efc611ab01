// Opening a transaction and claiming its barrier row in one round trip instead of two: the runner
// wraps its QueryRunner's `query` (transaction-runner.ts), and when TypeORM's startTransaction sends
// START TRANSACTION, the wrapper sends beginWithBarrier's two statements instead. TypeORM's own
// transaction state (active flag, depth, subscriber events) stays exactly as startTransaction sets
// it. Used when the caller expects the transaction to publish (a @Transactional() method that
// published on its previous call): the claim publish() would make before the first half message
// is then already done, which saves that round trip. Claiming at BEGIN rather than later is safe
// (no check-back can come before a half message exists); a guess that turns out wrong leaves an
// unused barrier row, which retention purges.
//
// Only where it is equivalent: node-postgres (PGlite's pool and pg-native are left alone), no
// isolation level (TypeORM's SET TRANSACTION must come before any other statement), no prologue
// (runOnce's inbox row must precede the barrier row), and an id that needs no quoting.

import type { DataSource } from 'typeorm';
import { barrierTakenError } from '../barrier/claim-barrier';
import { BarrierConflictError } from '../errors';
import type { KeelTables } from '../schema/keel-tables';
import { explainMissingTables } from '../schema/tables-missing';
import { SqlState, sqlStateOf } from '../sql-state';
import { beginWithBarrierSql, isLiteralSafeId } from '../sql/begin-with-barrier';
import type { SqlRunner } from '../sql/sql-runner';

export interface BarrierOpening {
  readonly tables: KeelTables;
  readonly transactionId: string;
  readonly nowMs: number;
}

export function canOpenWithBarrier(
  dataSource: DataSource,
  isolation: string | undefined,
  hasPrologue: boolean,
  transactionId: string,
): boolean {
  const options = dataSource.options as { type?: unknown; driver?: unknown; nativeDriver?: unknown };
  return (
    options.type === 'postgres' &&
    options.driver === undefined &&
    options.nativeDriver === undefined &&
    isolation === undefined &&
    !hasPrologue &&
    isLiteralSafeId(transactionId)
  );
}

/**
 * Sends START TRANSACTION with the barrier claim through `runner` (the unwrapped query).
 * On failure the transaction block the server opened is rolled back here, and the error becomes
 * what claimBarrier would have thrown: BarrierConflictError for a taken id.
 */
export async function openWithBarrier(
  runner: SqlRunner,
  opening: BarrierOpening,
  onRollbackError: (error: unknown) => void,
): Promise<unknown> {
  const { tables, transactionId, nowMs } = opening;
  try {
    return await runner.query(beginWithBarrierSql(tables, transactionId, nowMs));
  } catch (error: unknown) {
    // A failed statement aborted the block. A failed ROLLBACK means a broken connection, which the
    // server ends anyway: it is reported, and the original error is what the caller needs.
    await runner.query('ROLLBACK').catch(onRollbackError);
    const state = sqlStateOf(error);
    if (state === SqlState.SERIALIZATION_FAILURE) {
      throw new BarrierConflictError(transactionId, 'unknown', { cause: error });
    }
    if (state !== SqlState.UNIQUE_VIOLATION) throw explainMissingTables(error, tables);
    throw await barrierTakenError(runner, tables, transactionId, error);
  }
}
