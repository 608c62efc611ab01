// The runtime's answer to the broker's CHECK_TRANSACTION_STATE: read the Keel transaction id from
// the half message (KEEL_TX_ID) and let the barrier decide (resolveTransactionCheck). Users write
// no checker. Fail closed at every step: only the barrier's COMMIT answers COMMIT_MESSAGE.
//
//   barrier says COMMIT    → COMMIT_MESSAGE
//   barrier says ROLLBACK  → ROLLBACK_MESSAGE (and the transaction can no longer commit)
//   UNKNOWN, no KEEL_TX_ID, anything unexpected → UNKNOW (the broker asks again next round)
//   a half message older than the barrier horizon → UNKNOW, without asking the barrier
//
// The horizon: barrier rows are purged after barrierRetentionMs (barrier/purge-barriers.ts), and a
// check that finds no row answers ROLLBACK, which for a committed transaction whose row was purged
// would lose its messages. A half message born more than barrierRetentionMs −
// CHECK_HORIZON_MARGIN_MS ago (possible only when the broker or every producer of the group was
// down for days) is therefore left to the broker to park, for an operator to resolve (`keel admin
// tx`). The margin covers the time between the barrier claim and the half's birth (a transaction
// that claimed with BEGIN and ran long) and clock skew between hosts.

import type { Clock, Logger } from '@keel/broker';
import { systemClock } from '@keel/broker';
import { LocalTransactionState, type TransactionalMessage } from '@keel/broker/client';
import type { DataSource } from 'typeorm';
import {
  resolveTransactionCheck,
  type CheckResolution,
  type TransactionCheckOptions,
} from '../barrier/resolve-transaction-check';
import { KEEL_TX_ID_PROPERTY } from '../publish/keel-properties';

export const CHECK_HORIZON_MARGIN_MS = 12 * 3_600_000;

export function checkAnswerer(
  dataSource: DataSource,
  options: TransactionCheckOptions,
  logger: Logger,
  barrierRetentionMs = Number.POSITIVE_INFINITY,
): (message: TransactionalMessage) => Promise<LocalTransactionState> {
  const clock: Clock = options.clock ?? systemClock;
  const horizonMs = barrierRetentionMs - CHECK_HORIZON_MARGIN_MS;
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
    const ageMs = clock.now() - message.bornTimestamp;
    if (ageMs > horizonMs) {
      logger.warn(
        'check of a half message older than the barrier retention allows to trust: its barrier row ' +
          'may have been purged, so the answer is UNKNOW and the broker parks it after its last ' +
          'check; resolve it with `keel admin tx`, and keep barrierRetentionMs above how long the ' +
          'broker and the producers can be down',
        { msgId: message.msgId, topic: message.topic, transactionId, ageMs, barrierRetentionMs },
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
