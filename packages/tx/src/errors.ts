// Errors @keel/tx throws on purpose. Callers decide by `code` (and `retriable`), never by message
// text. None is retriable as such: each says the same call would fail the same way, except where a
// whole new attempt (a new transaction) is the fix, which the message says.

import { KeelError } from '@keel/broker';

export const TxErrorCodes = {
  /** currentManager()/currentTransaction() called outside runInTransaction. */
  NO_TRANSACTION: 'TX_NO_TRANSACTION',
  /** A transaction context used after it committed or rolled back (e.g. a callback left running). */
  TRANSACTION_FINISHED: 'TX_FINISHED',
  /** The barrier row for the transaction id already existed: a check-back (or another transaction) claimed it. */
  BARRIER_CONFLICT: 'TX_BARRIER_CONFLICT',
  /** An error escaped a nested (joined) call, so the shared transaction may not commit. */
  ROLLBACK_ONLY: 'TX_ROLLBACK_ONLY',
  /** A statement failed inside the transaction and the error was caught; PostgreSQL has aborted it. */
  ABORTED: 'TX_ABORTED',
  /** A nested call asked for something the transaction it would join does not have. */
  NESTED_MISMATCH: 'TX_NESTED_MISMATCH',
  /** A query would have left the transaction through another connection of the same DataSource. */
  ESCAPED: 'TX_ESCAPED',
  /** Keel's barrier or inbox table does not exist. */
  TABLES_MISSING: 'TX_TABLES_MISSING',
  /** A bad argument or option; the message names it and the fix. */
  INVALID_ARGUMENT: 'TX_INVALID_ARGUMENT',
  /** Decorator metadata failed validation at start. */
  METADATA_INVALID: 'TX_METADATA_INVALID',
  /** A @Transactional() method was called with no runtime (DataSource) registered. */
  NO_RUNTIME: 'TX_NO_RUNTIME',
  /** Thrown by a handler to skip retries and go straight to the dead-letter queue. */
  NON_RETRIABLE: 'TX_NON_RETRIABLE',
  /** KeelRuntime.start options are invalid; the error lists every problem. */
  CONFIG_INVALID: 'TX_CONFIG_INVALID',
  /** A message body could not be serialized at publish() or deserialized for a handler. */
  SERIALIZATION: 'TX_SERIALIZATION',
  /** The broker stored a half message less durably than asked (flush or slave timeout). */
  HALF_NOT_DURABLE: 'TX_HALF_NOT_DURABLE',
  /** publish() after the transaction's messages were sent (from a later beforeCommit hook). */
  PUBLISH_TOO_LATE: 'TX_PUBLISH_TOO_LATE',
  /** The runtime is not running (not started, shutting down or shut down). */
  RUNTIME_NOT_RUNNING: 'TX_RUNTIME_NOT_RUNNING',
} as const;

export type TxErrorCode = (typeof TxErrorCodes)[keyof typeof TxErrorCodes];

export class TxError extends KeelError {
  declare readonly code: TxErrorCode;

  constructor(code: TxErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}

/** Who had inserted the barrier row a transaction found in its place. */
export type BarrierClaimant =
  /** The row says rolled_back: a check-back decided ROLLBACK before this transaction got going. */
  | 'check-back'
  /** The row says committed: another transaction committed with the same id. */
  | 'another-transaction'
  /**
   * Someone claimed the id, but who cannot be said: a concurrent claimant committed while this
   * transaction waited (serialization failure), or reading the row failed (the error's cause).
   */
  | 'unknown';

/**
 * The transaction could not claim its barrier row, so it did not commit (and can no longer): the
 * half messages of its id are or will be rolled back. Running the operation again starts a new
 * transaction with a new id.
 */
export class BarrierConflictError extends TxError {
  readonly transactionId: string;
  readonly claimedBy: BarrierClaimant;

  constructor(transactionId: string, claimedBy: BarrierClaimant, options: { readonly cause?: unknown } = {}) {
    super(TxErrorCodes.BARRIER_CONFLICT, describeConflict(transactionId, claimedBy), options);
    this.transactionId = transactionId;
    this.claimedBy = claimedBy;
  }
}

function describeConflict(transactionId: string, claimedBy: BarrierClaimant): string {
  const head = `transaction ${transactionId} was not committed: `;
  switch (claimedBy) {
    case 'check-back':
      return (
        head +
        'a check-back from the broker found it not started and decided ROLLBACK first, so its ' +
        'messages are rolled back; run the operation again (a new transaction gets a new id)'
      );
    case 'another-transaction':
      return head + 'another transaction already committed with this id; transaction ids must be unique';
    case 'unknown':
      return (
        head +
        'a check-back or another transaction with the same id claimed its barrier row first (which ' +
        'one could not be told: see the cause); run the operation again'
      );
  }
}

/** An error a handler throws when retrying cannot help: the message goes to the dead-letter queue at once. */
export class NonRetriableError extends TxError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(TxErrorCodes.NON_RETRIABLE, message, options);
  }
}
