import { MessageConst } from '../protocol/message/message-const';
import { parseMessageProperties } from '../protocol/message/message-properties';
import { MessageSysFlag, transactionType, type TransactionType } from '../protocol/message/message-sys-flag';
import { tagsCode } from '../protocol/message/java-string-hash';
import type { DecodedStoredMessage } from '../protocol/message/stored-message-decoder';

/**
 * What the consume queues and the index need to know of one record. Built on the append path from
 * what the producer sent, and by recovery from the record itself, so both paths dispatch the same.
 */
export interface DispatchRequest {
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly size: number;
  readonly tagsCode: number;
  readonly storeTimestamp: number;
  readonly transactionType: TransactionType;
  readonly keys: string | undefined;
  readonly uniqKey: string | undefined;
}

/** Only plain and committed messages become visible in a consume queue (RocketMQ's rule). */
export function isConsumable(type: TransactionType): boolean {
  return type === MessageSysFlag.TRANSACTION_NOT_TYPE || type === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
}

/**
 * The consume-queue tagsCode of a record whose topic does not filter by tag but schedules by time
 * (SCHEDULE_TOPIC_XXXX, the timer topic): the delivery time, from the record's topic, properties and
 * store time; undefined for every other topic, whose tagsCode is the tag's hash. The same rule runs
 * on the append path and in recovery, so a rebuilt consume queue equals the one written live.
 */
export type TagsCodeRule = (
  topic: string,
  propertiesText: string,
  storeTimestamp: number,
) => number | undefined;

export function dispatchRequestFromRecord(
  message: DecodedStoredMessage,
  tagsCodeRule?: TagsCodeRule,
): DispatchRequest {
  const properties = parseMessageProperties(message.properties);
  const scheduled = tagsCodeRule?.(message.topic, message.properties, message.storeTimestamp);
  return {
    topic: message.topic,
    queueId: message.queueId,
    queueOffset: message.queueOffset,
    commitLogOffset: message.physicalOffset,
    size: message.totalSize,
    tagsCode: scheduled ?? tagsCode(properties.get(MessageConst.PROPERTY_TAGS)),
    storeTimestamp: message.storeTimestamp,
    transactionType: transactionType(message.sysFlag),
    keys: properties.get(MessageConst.PROPERTY_KEYS),
    uniqKey: properties.get(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX),
  };
}
