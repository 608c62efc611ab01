// Headers of SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320) (fact sheet §2.3).
//
// SEND_MESSAGE carries SendMessageRequestHeader with long field names. SEND_MESSAGE_V2 carries
// SendMessageRequestHeaderV2: the same fields under one-letter names (smaller headers), a..n in
// declaration order. Java clients send SEND_BATCH_MESSAGE with the V2 header too, and the broker
// decodes 320 as V2 (`AbstractSendMessageProcessor.parseRequestHeader`), so it is read that way here.
// Either way the caller gets one long-name SendMessageRequestHeader value.
//
//   a producerGroup  b topic  c defaultTopic  d defaultTopicQueueNums  e queueId  f sysFlag
//   g bornTimestamp  h flag  i properties  j reconsumeTimes  k unitMode  l maxReconsumeTimes
//   m batch  n bname (broker name, 4.9.5+)

import { RequestCode } from '../remoting/request-code';
import { defineHeader, type HeaderOf } from './header-codec';
import {
  boolean,
  int,
  long,
  optionalInt,
  optionalString,
  string,
  wireName,
  withDefault,
  type HeaderSchema,
} from './header-fields';
import { HeaderFieldError } from './header-errors';

const sendMessageFields = {
  producerGroup: string(),
  topic: string(),
  /** Template for auto-creating the topic, normally `TBW102`. */
  defaultTopic: string(),
  defaultTopicQueueNums: int(),
  /** < 0: the broker picks a write queue. */
  queueId: int(),
  /** MessageSysFlag bits. */
  sysFlag: int(),
  bornTimestamp: long(),
  /** The user flag (`Message.flag`). */
  flag: int(),
  properties: optionalString(),
  reconsumeTimes: optionalInt(),
  unitMode: withDefault(boolean(), false),
  maxReconsumeTimes: optionalInt(),
  batch: withDefault(boolean(), false),
  bname: optionalString(),
} as const satisfies HeaderSchema;

// Same fields, same types, V2's wire names: a..n in the order of the long names above.
const sendMessageFieldsV2 = {
  producerGroup: wireName(sendMessageFields.producerGroup, 'a'),
  topic: wireName(sendMessageFields.topic, 'b'),
  defaultTopic: wireName(sendMessageFields.defaultTopic, 'c'),
  defaultTopicQueueNums: wireName(sendMessageFields.defaultTopicQueueNums, 'd'),
  queueId: wireName(sendMessageFields.queueId, 'e'),
  sysFlag: wireName(sendMessageFields.sysFlag, 'f'),
  bornTimestamp: wireName(sendMessageFields.bornTimestamp, 'g'),
  flag: wireName(sendMessageFields.flag, 'h'),
  properties: wireName(sendMessageFields.properties, 'i'),
  reconsumeTimes: wireName(sendMessageFields.reconsumeTimes, 'j'),
  unitMode: wireName(sendMessageFields.unitMode, 'k'),
  maxReconsumeTimes: wireName(sendMessageFields.maxReconsumeTimes, 'l'),
  batch: wireName(sendMessageFields.batch, 'm'),
  bname: wireName(sendMessageFields.bname, 'n'),
} as const satisfies HeaderSchema;

export const SendMessageRequestHeader = defineHeader('SendMessageRequestHeader', sendMessageFields);
export type SendMessageRequestHeader = HeaderOf<typeof SendMessageRequestHeader>;

/** Decodes the V2 wire names into the long-name value. */
export const SendMessageRequestHeaderV2 = defineHeader('SendMessageRequestHeaderV2', sendMessageFieldsV2);

/**
 * The send header of a SEND_MESSAGE, SEND_MESSAGE_V2 or SEND_BATCH_MESSAGE request, whichever
 * naming it arrived in; throws HeaderFieldError, also for a request code that is not a send.
 */
export function decodeSendMessageHeader(
  code: number,
  extFields: ReadonlyMap<string, string>,
): SendMessageRequestHeader {
  switch (code) {
    case RequestCode.SEND_MESSAGE:
      return SendMessageRequestHeader.decode(extFields);
    case RequestCode.SEND_MESSAGE_V2:
    case RequestCode.SEND_BATCH_MESSAGE:
      return SendMessageRequestHeaderV2.decode(extFields);
    default:
      throw new HeaderFieldError(
        'SendMessageRequestHeader',
        'code',
        `request code ${code} is not a send request`,
      );
  }
}

/** Ext fields of a SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE request (one-letter names). */
export function encodeSendMessageHeaderV2(header: SendMessageRequestHeader): Map<string, string> {
  return SendMessageRequestHeaderV2.encode(header);
}

export const SendMessageResponseHeader = defineHeader('SendMessageResponseHeader', {
  /** Offset message id; comma-joined for batches. */
  msgId: string(),
  queueId: int(),
  /** Consume-queue offset of the (first) message. */
  queueOffset: long(),
  transactionId: optionalString(),
  /** Not fields of the Java class: the broker adds them to the response's ext fields. */
  msgRegion: wireName(optionalString(), 'MSG_REGION'),
  traceOn: wireName(optionalString(), 'TRACE_ON'),
});
export type SendMessageResponseHeader = HeaderOf<typeof SendMessageResponseHeader>;
