// Where a sent message is stored when it is not for its topic's consumers yet, decided once on the
// send path (RocketMQ splits this between the send processor, the transaction bridge and the
// commit log):
//
//   %RETRY%<group> at or past maxReconsumeTimes → %DLQ%<group>, queue 0, no delay
//   TRAN_MSG=true, not to a %RETRY% or %DLQ%     → RMQ_SYS_TRANS_HALF_TOPIC queue 0 (a half message;
//   topic                                         its delay or delivery time applies once committed)
//   DELAY=n > 0                                 → SCHEDULE_TOPIC_XXXX queue n-1 (n clamped to the
//                                                 highest level)
//   a delivery time in the future               → the timer topic, with TIMER_OUT_MS = that time
//
// The parked copies carry REAL_TOPIC and REAL_QID, from which the schedule and timer services and
// END_TRANSACTION write the message to where it was sent. Everything else is stored as sent.
//
// A committed transactional message keeps TRAN_MSG=true and PGROUP (as in RocketMQ), and so do its
// retry and dead-letter copies: a send of one of those to a %RETRY% or %DLQ% topic (a consumer's
// send-back fallback, an operator's DLQ resend) is never a new half message, which no one would
// ever commit.

import { MessageConst } from '../../protocol/message/message-const';
import {
  messagePropertiesToString,
  parseMessageProperties,
  type MessageProperties,
} from '../../protocol/message/message-properties';
import { MessageSysFlag, TRANSACTION_TYPE_MASK } from '../../protocol/message/message-sys-flag';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { PutMessageRequest } from '../../store/message-store';
import type { BrokerContext } from '../broker-context';
import { isDlqTopic, isRetryTopic, RETRY_GROUP_TOPIC_PREFIX, SystemTopic } from '../topic/system-topics';
import { writableDeadLetterTopic } from './dead-letter';
import { deliveryTimeOf, type DeliveryTime } from './delivery-time';

export type SendRouting =
  | { readonly ok: true; readonly put: PutMessageRequest }
  | { readonly ok: false; readonly code: number; readonly remark: string };

export interface SendRoutingInput {
  readonly put: PutMessageRequest;
  /** The message's properties as sent (without what the broker adds). */
  readonly properties: MessageProperties;
  /** The send header's maxReconsumeTimes (a consumer re-sending to its retry topic sets it). */
  readonly maxReconsumeTimes: number | undefined;
}

/** Synchronous unless the message is a retry past its maximum (the DLQ topic may need creating). */
export function routeSentMessage(
  context: BrokerContext,
  input: SendRoutingInput,
): SendRouting | Promise<SendRouting> {
  const { put, properties } = input;
  const delivery = deliveryTimeOf(properties, context.clock.now(), context.config);
  if (!delivery.ok) return { ok: false, code: ResponseCode.MESSAGE_ILLEGAL, remark: delivery.problem };
  if (isRetryTopic(put.fields.topic)) {
    const reconsumeTimes = put.fields.reconsumeTimes;
    const group = put.fields.topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const max = input.maxReconsumeTimes ?? context.groups.find(group)?.retryMaxTimes ?? DEFAULT_MAX_RECONSUME;
    if (reconsumeTimes >= max) return toDeadLetters(context, put, group);
  }
  if (isHalfMessage(put.fields.topic, properties, put.fields.reconsumeTimes)) {
    return { ok: true, put: toHalfTopic(put) };
  }
  return { ok: true, put: routeScheduled(put, delivery.time) };
}

/**
 * The put for a message that is due at `time`: parked in the schedule or timer topic, or `put`
 * itself when it is due now. END_TRANSACTION applies this to the committed copy of a half message.
 */
export function routeScheduled(put: PutMessageRequest, time: DeliveryTime): PutMessageRequest {
  switch (time.kind) {
    case 'now':
      return put;
    case 'level':
      return parked(put, SystemTopic.SCHEDULE, time.level - 1, (properties) =>
        properties.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(time.level)),
      );
    case 'at':
      return parked(put, SystemTopic.TIMER, 0, (properties) =>
        properties.set(MessageConst.PROPERTY_TIMER_OUT_MS, String(time.atMs)),
      );
  }
}

const DEFAULT_MAX_RECONSUME = 16;

/**
 * TRAN_MSG=true, except on a copy for a retry or dead-letter topic (see the top of this file), and
 * RocketMQ's compatibility rule for clients before 4.6.1, whose retries of a transactional message
 * kept TRAN_MSG: with reconsumeTimes > 0 and a delay level it is a retry, not a new half message.
 */
function isHalfMessage(topic: string, properties: MessageProperties, reconsumeTimes: number): boolean {
  if (properties.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) !== 'true') return false;
  if (isRetryTopic(topic) || isDlqTopic(topic)) return false;
  const delay = Number(properties.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? 0);
  return !(reconsumeTimes > 0 && delay > 0);
}

function toHalfTopic(put: PutMessageRequest): PutMessageRequest {
  const halfPut = parked(put, SystemTopic.TRANS_HALF, 0, () => undefined);
  // Stored as a plain record so the half topic's consume queue (which the check service reads)
  // indexes it; the prepared type lives on in TRAN_MSG.
  const sysFlag = (put.fields.sysFlag & ~TRANSACTION_TYPE_MASK) | MessageSysFlag.TRANSACTION_NOT_TYPE;
  return { ...halfPut, fields: { ...halfPut.fields, sysFlag } };
}

async function toDeadLetters(
  context: BrokerContext,
  put: PutMessageRequest,
  group: string,
): Promise<SendRouting> {
  const dlq = await writableDeadLetterTopic(context, group);
  if (!dlq.ok) return dlq;
  const properties = parseMessageProperties(put.fields.properties);
  properties.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  const topic = dlq.topic.topicName;
  return {
    ok: true,
    put: withProperties({ ...put, fields: { ...put.fields, topic, queueId: 0 } }, properties),
  };
}

function parked(
  put: PutMessageRequest,
  topic: string,
  queueId: number,
  edit: (properties: Map<string, string>) => unknown,
): PutMessageRequest {
  // The text, not the map the send path parsed: it includes what the broker added (CLUSTER).
  const properties = parseMessageProperties(put.fields.properties);
  properties.set(MessageConst.PROPERTY_REAL_TOPIC, put.fields.topic);
  properties.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(put.fields.queueId));
  edit(properties);
  return withProperties({ ...put, fields: { ...put.fields, topic, queueId } }, properties);
}

function withProperties(put: PutMessageRequest, properties: MessageProperties): PutMessageRequest {
  return { ...put, fields: { ...put.fields, properties: messagePropertiesToString(properties) } };
}
