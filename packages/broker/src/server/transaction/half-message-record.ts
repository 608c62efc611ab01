// Reading a half message's record: the details the check service and `tx list` need, the parked
// copy written to TRANS_CHECK_MAX_TIME_TOPIC, and the record a CHECK_TRANSACTION_STATE carries.

import { MessageConst } from '../../protocol/message/message-const';
import { parseMessageProperties } from '../../protocol/message/message-properties';
import { encodeStoredMessage, prepareStoredMessage } from '../../protocol/message/stored-message';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { PutMessageRequest } from '../../store/message-store';
import { realDestinationOf, storedMessagePut } from '../delivery/stored-message-put';
import { SystemTopic } from '../topic/system-topics';
import { immunityMsOf } from './check-policy';
import type { HalfMessageDetails } from './half-message-table';

export function halfMessageDetails(half: DecodedStoredMessage): HalfMessageDetails {
  const properties = parseMessageProperties(half.properties);
  return {
    bornTimestamp: half.bornTimestamp,
    storeTimestamp: half.storeTimestamp,
    producerGroup: properties.get(MessageConst.PROPERTY_PRODUCER_GROUP) ?? '',
    msgId: properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? '',
    realTopic: properties.get(MessageConst.PROPERTY_REAL_TOPIC) ?? '',
    immunityMs: immunityMsOf(properties.get(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS)),
  };
}

/**
 * The copy of a half message that parks it in TRANS_CHECK_MAX_TIME_TOPIC queue 0, where operators
 * read it. It records its origin: TRAN_PREPARED_QUEUE_OFFSET = the half-queue offset and PREPARED
 * TRANSACTION OFFSET = the half message's commit-log offset (the rebuild reads both), and
 * TRANSACTION_CHECK_TIMES = the checks sent.
 */
export function parkedCopyPut(half: DecodedStoredMessage, checks: number): PutMessageRequest {
  const properties = parseMessageProperties(half.properties);
  properties.set(MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET, String(half.queueOffset));
  properties.set(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES, String(checks));
  return storedMessagePut(half, {
    topic: SystemTopic.TRANS_CHECK_MAX_TIME,
    queueId: 0,
    properties,
    preparedTransactionOffset: half.physicalOffset,
  });
}

/** The half-queue offset a parked copy came from, or undefined when it does not say. */
export function parkedOrigin(copy: DecodedStoredMessage): number | undefined {
  const text = parseMessageProperties(copy.properties).get(
    MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET,
  );
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const offset = Number(text);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

/**
 * CHECK_TRANSACTION_STATE's body: the half message in stored-message format with its real topic
 * and queue id (RocketMQ's sendCheckMessage switches them back before encoding), everything else
 * (offsets, times, properties) as stored.
 */
export function checkMessageBody(half: DecodedStoredMessage): Buffer {
  if (half.body === undefined) {
    throw new TypeError(`the half message at ${half.physicalOffset} was read without its body`);
  }
  const destination = realDestinationOf(parseMessageProperties(half.properties));
  const prepared = prepareStoredMessage({
    ...half,
    body: half.body,
    topic: destination?.topic ?? half.topic,
    queueId: destination?.queueId ?? half.queueId,
  });
  const body = Buffer.alloc(prepared.totalSize);
  encodeStoredMessage(prepared, body, 0);
  return body;
}
