// The runtime's answer to the broker's CHECK_TRANSACTION_STATE: read the Keel transaction id from
// the half message (KEEL_TX_ID) and let the barrier decide (resolveTransactionCheck). Users write
// no checker. Fail closed at every step: only the barrier's COMMIT answers COMMIT_MESSAGE.
//
//   barrier says COMMIT    → COMMIT_MESSAGE
//   barrier says ROLLBACK  → ROLLBACK_MESSAGE (and the transaction can no longer commit)
//   UNKNOWN, no KEEL_TX_ID, anything unexpected → UNKNOW (the broker asks again next round)

import type { Logger } from '@keel/broker';
import { LocalTransactionState, type TransactionalMessage } from '@keel/broker/client';
import type { DataSource } from 'typeorm';
import {
  resolveTransactionCheck,
  type CheckResolution,
  type TransactionCheckOptions,
} from '../barrier/resolve-transaction-check';
import { KEEL_TX_ID_PROPERTY } from '../publish/keel-properties';

export function checkAnswerer(
  dataSource: DataSource,
  options: TransactionCheckOptions,
  logger: Logger,
): (message: TransactionalMessage) => Promise<LocalTransactionState> {
  return async (message) => {
    const transactionId = message.properties.get(KEEL_TX_ID_PROPERTY);
    if (transactionId === undefined) {
      logger.warn(
        `check of a half message without ${KEEL_TX_ID_PROPERTY}: not sent by Keel; answered UNKNOW`,
        {
          msgId: message.msgId,
          topic: message.topic,
        },
      );
      return LocalTransactionState.UNKNOW;
    }
    return stateOf(await resolveTransactionCheck(dataSource, transactionId, options));
  };
}

export function stateOf(resolution: CheckResolution): LocalTransactionState {
  switch (resolution) {
    case 'COMMIT':
      return LocalTransactionState.COMMIT_MESSAGE;
    case 'ROLLBACK':
      return LocalTransactionState.ROLLBACK_MESSAGE;
    default:
      return LocalTransactionState.UNKNOW;
  }
}
