// Headers of END_TRANSACTION (37, producer → broker, oneway) and CHECK_TRANSACTION_STATE
// (39, broker → producer, oneway) (fact sheet §2.8, §6).

import { defineHeader, type HeaderOf } from './header-codec';
import { boolean, int, long, optionalString, string, withDefault } from './header-fields';

/** Values of EndTransactionRequestHeader.commitOrRollback (MessageSysFlag transaction types). */
export const CommitOrRollback = {
  /** Unknown: the broker keeps the half message and checks back later. */
  NOT_TYPE: 0,
  COMMIT: 8,
  ROLLBACK: 12,
} as const;

export const EndTransactionRequestHeader = defineHeader('EndTransactionRequestHeader', {
  producerGroup: string(),
  /** The half message's queue offset in RMQ_SYS_TRANS_HALF_TOPIC. */
  tranStateTableOffset: long(),
  /** The half message's commit-log offset. */
  commitLogOffset: long(),
  commitOrRollback: int(),
  fromTransactionCheck: withDefault(boolean(), false),
  /** The UNIQ_KEY of the half message. */
  msgId: string(),
  transactionId: optionalString(),
  bname: optionalString(),
});
export type EndTransactionRequestHeader = HeaderOf<typeof EndTransactionRequestHeader>;

export const CheckTransactionStateRequestHeader = defineHeader('CheckTransactionStateRequestHeader', {
  tranStateTableOffset: long(),
  commitLogOffset: long(),
  msgId: optionalString(),
  transactionId: optionalString(),
  offsetMsgId: optionalString(),
  bname: optionalString(),
});
export type CheckTransactionStateRequestHeader = HeaderOf<typeof CheckTransactionStateRequestHeader>;

/**
 * KEEL_LIST_HALF_MESSAGES (Keel's own request, admin → broker; docs/protocol.md): at most
 * `maxCount` open half messages, only those with UNIQ_KEY `msgId` when it is given.
 */
export const ListHalfMessagesRequestHeader = defineHeader('ListHalfMessagesRequestHeader', {
  maxCount: withDefault(int(), 1000),
  msgId: optionalString(),
});
export type ListHalfMessagesRequestHeader = HeaderOf<typeof ListHalfMessagesRequestHeader>;
