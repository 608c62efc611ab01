// Errors of the transactional producer.

import { KeelError } from '../../common/errors';

export const TransactionErrorCodes = {
  TRANSACTION_STATE_INVALID: 'TRANSACTION_STATE_INVALID',
} as const;

/**
 * A local transaction or check returned something that is not a LocalTransactionState. Reported
 * in TransactionSendResult.localError; the transaction was left UNKNOW, never committed.
 */
export class InvalidTransactionStateError extends KeelError {
  constructor(message: string) {
    super(TransactionErrorCodes.TRANSACTION_STATE_INVALID, message);
  }
}
