// Reading a CHECK_TRANSACTION_STATE request (fact sheet §2.8, §6.6): the header names the half
// message by its offsets, the body is the message in stored-record format with its real topic and
// queue. A Keel broker names the half message as the producer stored it (it never re-appends it);
// RocketMQ's check service re-appends it before asking, and then names the copy's offsets. Either
// way the answer goes back with the offsets of the check's header.

import { CheckTransactionStateRequestHeader } from '../../protocol/headers/transaction-headers';
import { MessageConst } from '../../protocol/message/message-const';
import type { RemotingCommand } from '../../protocol/remoting/remoting-command';
import { MessageDecodeError } from '../client-errors';
import { decodeMessages } from '../message-decoding';
import type { HalfMessageRef } from './end-transaction';
import type { TransactionalMessage } from './transaction-producer-options';

export interface TransactionCheckRequest {
  /** PGROUP of the half message: which producer group should answer. */
  readonly producerGroup: string;
  readonly half: HalfMessageRef;
  readonly message: TransactionalMessage;
}

/** Throws HeaderFieldError or MessageDecodeError for a request that is not a well-formed check. */
export function decodeCheckRequest(request: RemotingCommand): TransactionCheckRequest {
  const header = CheckTransactionStateRequestHeader.decode(request.extFields);
  const [decoded, ...extra] = decodeMessages(request.body);
  if (decoded === undefined || extra.length > 0) {
    throw new MessageDecodeError(
      `a transaction check carries one message, this one carries ${extra.length + (decoded === undefined ? 0 : 1)}`,
    );
  }
  const producerGroup = decoded.properties.get(MessageConst.PROPERTY_PRODUCER_GROUP);
  if (producerGroup === undefined) {
    throw new MessageDecodeError(
      `the checked message ${decoded.msgId} has no PGROUP property, so no producer group can answer it`,
    );
  }
  const msgId = decoded.properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? header.msgId;
  if (msgId === undefined) {
    throw new MessageDecodeError('the transaction check names no message: no UNIQ_KEY and no msgId header');
  }
  return {
    producerGroup,
    half: {
      tranStateTableOffset: header.tranStateTableOffset,
      commitLogOffset: header.commitLogOffset,
      msgId,
      transactionId: header.transactionId ?? msgId,
      brokerName: header.bname,
    },
    // The id the local transaction ran under, as sendMessageInTransaction reported it.
    message: { ...decoded, transactionId: msgId },
  };
}
