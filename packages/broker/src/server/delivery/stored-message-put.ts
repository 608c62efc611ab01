// A stored message written again under another topic: the schedule and timer services deliver a
// message parked in SCHEDULE_TOPIC_XXXX or the timer topic to its real topic, a send-back copies a
// failed message into %RETRY%<group> or %DLQ%<group>, END_TRANSACTION writes a half message's
// committed copy. Each keeps the body, flag, born time and hosts of the record it copies and
// changes only what the caller names.

import { MessageConst } from '../../protocol/message/message-const';
import { messagePropertiesToString, type MessageProperties } from '../../protocol/message/message-properties';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import type { PutMessageRequest } from '../../store/message-store';

export interface StoredMessageChange {
  readonly topic: string;
  readonly queueId: number;
  /** The complete properties of the new record (start from `parseMessageProperties(message.properties)`). */
  readonly properties: MessageProperties;
  readonly sysFlag?: number;
  readonly reconsumeTimes?: number;
  readonly preparedTransactionOffset?: number;
  /** Default true: the put resolves once the copy is as durable as the flush mode makes sends. */
  readonly waitStoreMsgOk?: boolean;
}

/** The put request that stores `message` (read with its body) again as `change` says. */
export function storedMessagePut(
  message: DecodedStoredMessage,
  change: StoredMessageChange,
): PutMessageRequest {
  if (message.body === undefined) {
    throw new TypeError(
      `the record at commit-log offset ${message.physicalOffset} was read without its body`,
    );
  }
  const { properties } = change;
  return {
    fields: {
      topic: change.topic,
      queueId: change.queueId,
      flag: message.flag,
      queueOffset: 0,
      physicalOffset: 0,
      sysFlag: change.sysFlag ?? message.sysFlag,
      bornTimestamp: message.bornTimestamp,
      bornHost: message.bornHost,
      storeTimestamp: 0,
      storeHost: message.storeHost,
      reconsumeTimes: change.reconsumeTimes ?? message.reconsumeTimes,
      preparedTransactionOffset: change.preparedTransactionOffset ?? message.preparedTransactionOffset,
      body: message.body,
      properties: messagePropertiesToString(properties),
    },
    tags: properties.get(MessageConst.PROPERTY_TAGS),
    keys: properties.get(MessageConst.PROPERTY_KEYS),
    uniqKey: properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
    waitStoreMsgOk: change.waitStoreMsgOk ?? true,
  };
}

/**
 * Where a message parked in a scheduling or transaction topic really goes: its REAL_TOPIC and
 * REAL_QID properties, or undefined when either is missing or not a queue id.
 */
export function realDestinationOf(
  properties: MessageProperties,
): { topic: string; queueId: number } | undefined {
  const topic = properties.get(MessageConst.PROPERTY_REAL_TOPIC);
  const queueText = properties.get(MessageConst.PROPERTY_REAL_QUEUE_ID);
  if (topic === undefined || topic === '' || queueText === undefined) return undefined;
  const queueId = Number(queueText);
  if (!Number.isInteger(queueId) || queueId < 0) return undefined;
  return { topic, queueId };
}
