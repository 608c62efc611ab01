// A Message turned into what goes on the wire: validated, with its system properties (UNIQ_KEY,
// TAGS, KEYS, DELAY, WAIT) and, above the threshold, a zlib-compressed body. The size check runs
// on the body as given, before compression, as RocketMQ's Validators.checkMessage does.

import { encodeBatchMessageBody } from '../../protocol/bodies/batch-message-body';
import { MessageConst, RESERVED_PROPERTY_NAMES } from '../../protocol/message/message-const';
import { messagePropertiesToString } from '../../protocol/message/message-properties';
import type { UniqueMessageIdGenerator } from '../../protocol/message/message-id';
import { InvalidMessageError, MessageTooLargeError } from '../client-errors';
import { compressBody, ZLIB_COMPRESSED_SYS_FLAG } from '../compression';
import type { Message } from '../message';

export interface OutgoingMessage {
  readonly topic: string;
  readonly body: Buffer;
  readonly sysFlag: number;
  /** The properties string of the request header. */
  readonly properties: string;
  /** UNIQ_KEY, or the comma-joined UNIQ_KEYs of a batch. */
  readonly msgId: string;
  readonly batch: boolean;
}

export interface OutgoingLimits {
  readonly maxMessageSize: number;
  readonly compressMsgBodyOverHowmuch: number;
  /** The auto-create template; applications may not send to it. */
  readonly createTopicKey: string;
}

const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;
const MAX_TOPIC_LENGTH = 127;

export function checkTopic(topic: string, limits: OutgoingLimits): void {
  if (typeof topic !== 'string' || topic.length === 0)
    throw new InvalidMessageError('the message has no topic');
  if (topic.length > MAX_TOPIC_LENGTH || !TOPIC_PATTERN.test(topic)) {
    throw new InvalidMessageError(
      `topic "${topic}" is not valid: use at most ${MAX_TOPIC_LENGTH} characters of [%|a-zA-Z0-9_-]`,
    );
  }
  if (topic === limits.createTopicKey) {
    throw new InvalidMessageError(`topic ${topic} is the auto-create template; send to a topic of your own`);
  }
}

function bodyBytes(message: Message): Buffer {
  return typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : message.body;
}

function checkBody(body: Buffer, limits: OutgoingLimits): void {
  if (body.length === 0)
    throw new InvalidMessageError('the message body is empty; RocketMQ refuses empty bodies');
  if (body.length > limits.maxMessageSize) throw new MessageTooLargeError(body.length, limits.maxMessageSize);
}

/** The message's properties in RocketMQ's names; `withWait` false leaves WAIT to the batch. */
function propertiesOf(message: Message, uniqKey: string, withWait: boolean): Map<string, string> {
  const properties = new Map<string, string>();
  for (const [name, value] of Object.entries(message.properties ?? {})) {
    if (RESERVED_PROPERTY_NAMES.has(name)) {
      throw new InvalidMessageError(`property ${name} is reserved by RocketMQ; set it through its own field`);
    }
    properties.set(name, value);
  }
  if (message.tags !== undefined && message.tags !== '')
    properties.set(MessageConst.PROPERTY_TAGS, message.tags);
  const keys = typeof message.keys === 'string' ? [message.keys] : (message.keys ?? []);
  const joinedKeys = keys.filter((key) => key !== '').join(MessageConst.KEY_SEPARATOR);
  if (joinedKeys !== '') properties.set(MessageConst.PROPERTY_KEYS, joinedKeys);
  const delayLevel = message.delayLevel ?? 0;
  if (!Number.isInteger(delayLevel) || delayLevel < 0) {
    throw new InvalidMessageError(`delayLevel must be a whole number from 0 (none) up, got ${delayLevel}`);
  }
  if (delayLevel > 0) properties.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(delayLevel));
  if (message.deliverAt !== undefined) {
    const at = message.deliverAt instanceof Date ? message.deliverAt.getTime() : message.deliverAt;
    if (!Number.isSafeInteger(at) || at < 0) {
      throw new InvalidMessageError(
        `deliverAt must be a valid Date or whole epoch milliseconds, got ${String(message.deliverAt)}`,
      );
    }
    if (delayLevel > 0) {
      throw new InvalidMessageError('a message takes a delayLevel or a deliverAt time, not both');
    }
    properties.set(MessageConst.PROPERTY_TIMER_DELIVER_MS, String(at));
  }
  if (withWait)
    properties.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, String(message.waitStoreMsgOk ?? true));
  properties.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, uniqKey);
  return properties;
}

/**
 * What the client itself adds to a message, past the reserved-name check applications get: the
 * transactional producer's TRAN_MSG and PGROUP properties and its prepared-type sysFlag bits.
 */
export interface SystemFields {
  readonly properties: ReadonlyMap<string, string>;
  readonly sysFlag: number;
}

export function prepareMessage(
  message: Message,
  limits: OutgoingLimits,
  ids: UniqueMessageIdGenerator,
  system?: SystemFields,
): OutgoingMessage {
  checkTopic(message.topic, limits);
  const body = bodyBytes(message);
  checkBody(body, limits);
  const msgId = ids.next();
  const withProperties = propertiesOf(message, msgId, true);
  for (const [name, value] of system?.properties ?? []) withProperties.set(name, value);
  const properties = messagePropertiesToString(withProperties);
  const compress = body.length >= limits.compressMsgBodyOverHowmuch;
  return {
    topic: message.topic,
    body: compress ? compressBody(body) : body,
    sysFlag: (compress ? ZLIB_COMPRESSED_SYS_FLAG : 0) | (system?.sysFlag ?? 0),
    properties,
    msgId,
    batch: false,
  };
}

/**
 * One SEND_BATCH_MESSAGE body for messages of one topic. Batches are never compressed and may not
 * be delayed (RocketMQ refuses both); the encoded body must fit maxMessageSize.
 */
export function prepareBatch(
  messages: readonly Message[],
  limits: OutgoingLimits,
  ids: UniqueMessageIdGenerator,
): OutgoingMessage {
  const first = messages[0];
  if (first === undefined) throw new InvalidMessageError('the batch is empty; pass at least one message');
  checkTopic(first.topic, limits);
  const msgIds: string[] = [];
  const entries = messages.map((message, index) => {
    if (message.topic !== first.topic) {
      throw new InvalidMessageError(
        `batch message ${index} is for topic ${message.topic}, not ${first.topic}; a batch has one topic`,
      );
    }
    if ((message.delayLevel ?? 0) > 0 || message.deliverAt !== undefined) {
      throw new InvalidMessageError(
        `batch message ${index} has a delayLevel or deliverAt; batches cannot be delayed, send it on its own`,
      );
    }
    const body = bodyBytes(message);
    checkBody(body, limits);
    const msgId = ids.next();
    msgIds.push(msgId);
    return { flag: 0, body, properties: propertiesOf(message, msgId, false) };
  });
  const body = encodeBatchMessageBody(entries);
  if (body.length > limits.maxMessageSize) {
    throw new MessageTooLargeError(
      body.length,
      limits.maxMessageSize,
      `the encoded batch of ${messages.length} messages`,
    );
  }
  // WAIT applies to the whole batch: the broker stores it once and answers once.
  const batchProperties = new Map([
    [MessageConst.PROPERTY_WAIT_STORE_MSG_OK, String(first.waitStoreMsgOk ?? true)],
  ]);
  return {
    topic: first.topic,
    body,
    sysFlag: 0,
    properties: messagePropertiesToString(batchProperties),
    msgId: msgIds.join(','),
    batch: true,
  };
}
