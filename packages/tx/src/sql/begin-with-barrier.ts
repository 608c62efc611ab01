// beginWithBarrier — START TRANSACTION and the barrier claim in one round trip (simple query
// protocol, two statements), in place of START TRANSACTION followed by insertBarrierRow.
//
//   no parameters: the id and time are written as literals, so the caller passes only ids made of
//   [A-Za-z0-9_.:-] (a UUID) and an ISO timestamp; nothing in them needs quoting.
//   succeeds:      the transaction is open and the id claimed as committed
//   fails:         23505 when the id's row exists (the claim lost: see claimBarrier), or any other
//                  error; either way the server has aborted the transaction block it opened, so the
//                  caller must send ROLLBACK
//
// No ON CONFLICT: a conflict must fail the whole string (a RETURNING row would be lost among two
// results). Like insertBarrierRow it waits for another transaction holding an uncommitted row.

import type { KeelTables } from '../schema/keel-tables';
import { timestampParam } from './sql-runner';

const LITERAL_SAFE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** True when `transactionId` can be written as a literal without quoting concerns. */
export function isLiteralSafeId(transactionId: string): boolean {
  return LITERAL_SAFE_ID.test(transactionId);
}

export function beginWithBarrierSql(tables: KeelTables, transactionId: string, nowMs: number): string {
  if (!isLiteralSafeId(transactionId)) throw new TypeError('beginWithBarrierSql: id needs quoting');
  return (
    `START TRANSACTION; INSERT INTO ${tables.barrierTable} (tx_id, outcome, created_at) ` +
    `VALUES ('${transactionId}', 'committed', '${timestampParam(nowMs)}'::timestamptz)`
  );
}
