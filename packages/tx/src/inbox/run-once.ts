// runOnce: an idempotent handler run. One transaction whose first statement inserts the inbox row
// (consumer group, message key), then the handler (and, if it publishes, the barrier row before
// its half messages); all commit together.
//
//   the row is new                   → the handler runs; its writes and the row commit as one
//   the row exists (committed)       → { ran: false }, the handler does not run
//   a duplicate is running right now → the insert waits on its row lock; when that transaction
//                                      commits → { ran: false }; when it rolls back → this one runs
//
// So of concurrent duplicates exactly one runs, on any number of processes (NServiceBus #6583 ran
// both): the database's unique key decides, not an in-memory set. A handler error rolls the row
// back with everything else, so the redelivery runs the handler again, and reaches the caller
// unchanged. Only what goes through the transaction is exactly-once; a call to another service
// inside the handler is at-least-once (pass it the key to make it idempotent there).

import type { DataSource } from 'typeorm';
import type { TransactionContext } from '../context/transaction-context';
import { resolveTransactionOptions, type TransactionOptions } from '../context/transaction-options';
import { runTransaction, type Prologue } from '../context/transaction-runner';
import { TxError, TxErrorCodes } from '../errors';
import { MAX_INBOX_FIELD_LENGTH } from '../schema/keel-tables-ddl';
import { explainMissingTables } from '../schema/tables-missing';
import { SqlState, sqlStateOf } from '../sql-state';
import { insertInboxRow } from '../sql/insert-inbox-row';

export interface InboxKey {
  /** The consumer group: each group handles a message once. */
  readonly group: string;
  /** What identifies the message for deduplication: its id, or a business key. */
  readonly key: string;
}

export type RunOnceResult<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

export async function runOnce<T>(
  dataSource: DataSource,
  inboxKey: InboxKey,
  fn: (context: TransactionContext) => Promise<T>,
  options: TransactionOptions = {},
): Promise<RunOnceResult<T>> {
  const resolved = resolveTransactionOptions(options, 'runOnce');
  checkInboxKey(inboxKey);
  const { tables, clock } = resolved;
  const key = { group: inboxKey.group, key: inboxKey.key };
  const prologue: Prologue = async (runner, joined) => {
    try {
      return (await insertInboxRow(runner, tables, key, clock.now())) ? 'proceed' : 'skip';
    } catch (error: unknown) {
      // Under REPEATABLE READ or SERIALIZABLE a duplicate that committed while this insert waited
      // raises a serialization failure instead of DO NOTHING: it is still a duplicate. Inside an
      // outer transaction the failure has aborted that transaction, so it must propagate.
      if (!joined && sqlStateOf(error) === SqlState.SERIALIZATION_FAILURE) return 'skip';
      throw explainMissingTables(error, tables);
    }
  };
  return runTransaction(dataSource, resolved, prologue, fn);
}

function checkInboxKey(inboxKey: InboxKey): void {
  const problems: string[] = [];
  if (typeof inboxKey !== 'object' || inboxKey === null) {
    throw new TxError(TxErrorCodes.INVALID_ARGUMENT, 'runOnce: pass { group, key } as the second argument');
  }
  for (const field of ['group', 'key'] as const) {
    const value: unknown = inboxKey[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_INBOX_FIELD_LENGTH) {
      problems.push(
        `${field} must be a string of 1 to ${MAX_INBOX_FIELD_LENGTH} characters, got ${describe(value)}` +
          (field === 'key' ? ' (hash a longer business key)' : ''),
      );
    }
  }
  if (problems.length > 0)
    throw new TxError(TxErrorCodes.INVALID_ARGUMENT, `runOnce: ${problems.join('; ')}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `${value.length} characters` : String(value);
}
