// The real message END_TRANSACTION's commit writes for a half message (fact sheet §6.4): its topic
// and queue from REAL_TOPIC and REAL_QID, body, flag, born time and hosts of the half message,
// properties kept as stored (RocketMQ's committed records keep TRAN_MSG, PGROUP, REAL_TOPIC and
// REAL_QID too, which clients rely on to set transactionId), the transaction type COMMIT_TYPE and
// PREPARED TRANSACTION OFFSET = the half message's commit-log offset. A DELAY or delivery time the
// message was sent with applies from the commit on: such a message goes to the schedule or timer
// topic first, like any delayed send.
//
// The op record is written in the same batch, just before this message, so this put must not be
// refused once the op record is in: the store's own acceptance checks (MessageStore.checkStorable,
// the ones a put runs, without checksumming the body) are asked first.

import { parseMessageProperties } from '../../protocol/message/message-properties';
import { MessageSysFlag, withTransactionType } from '../../protocol/message/message-sys-flag';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { MessageStore, PutMessageRequest } from '../../store/message-store';
import { deliveryTimeOf, type DeliveryTimeSettings } from '../delivery/delivery-time';
import { routeScheduled } from '../delivery/send-routing';
import { realDestinationOf, storedMessagePut } from '../delivery/stored-message-put';

export type CommittedMessage =
  { readonly ok: true; readonly put: PutMessageRequest } | { readonly ok: false; readonly problem: string };

export function committedMessagePut(
  half: DecodedStoredMessage,
  nowMs: number,
  settings: DeliveryTimeSettings,
  store: Pick<MessageStore, 'checkStorable'>,
): CommittedMessage {
  const properties = parseMessageProperties(half.properties);
  const destination = realDestinationOf(properties);
  if (destination === undefined) {
    return {
      ok: false,
      problem: `the half message at commit-log offset ${half.physicalOffset} has no valid REAL_TOPIC/REAL_QID; it cannot be delivered, roll it back`,
    };
  }
  const delivery = deliveryTimeOf(properties, nowMs, settings);
  if (!delivery.ok) {
    return {
      ok: false,
      problem: `the half message at commit-log offset ${half.physicalOffset} cannot be scheduled: ${delivery.problem}`,
    };
  }
  const put = routeScheduled(
    storedMessagePut(half, {
      topic: destination.topic,
      queueId: destination.queueId,
      properties,
      sysFlag: withTransactionType(half.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE),
      preparedTransactionOffset: half.physicalOffset,
    }),
    delivery.time,
  );
  const problem = store.checkStorable(put);
  if (problem === undefined) return { ok: true, put };
  return {
    ok: false,
    problem: `the committed message of the half message at commit-log offset ${half.physicalOffset} cannot be stored (${problem.message}); roll the transaction back`,
  };
}
