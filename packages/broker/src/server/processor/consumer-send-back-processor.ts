// CONSUMER_SEND_MSG_BACK (36): a consumer hands back a message it failed to process (fact sheet
// §2.7, §5.2; RocketMQ's SendMessageProcessor.asyncConsumerSendMsgBack). The broker copies it:
//
//   reconsumeTimes >= max, or delayLevel < 0  → %DLQ%<group> queue 0, no delay
//   otherwise                                  → %RETRY%<group>, parked in SCHEDULE_TOPIC_XXXX at
//                                                level (header level, or 3 + reconsumeTimes when 0,
//                                                clamped to the configured levels) so the consumer
//                                                gets it again after that delay
//
// The copy keeps body, flag, born time and hosts, sysFlag and properties, plus RETRY_TOPIC (the
// original topic, set once), ORIGIN_MESSAGE_ID (the first failed copy's offset id, set once), and
// reconsumeTimes + 1. max is the header's maxReconsumeTimes (from V3_4_9 clients) or the group's
// retryMaxTimes.
//
// Only a message a consumer can have received is copied: a record of the broker's own (a parked
// copy in the schedule or timer topic, a half message, an op record, a parked half message) or a
// PREPARED or ROLLBACK record is refused with MESSAGE_ILLEGAL. Copying one would deliver a
// transaction's message that was never committed, or a delayed one early.
//
// Deliberate difference: RocketMQ stores the copy with WAIT=false and answers before it is
// acknowledged; Keel answers once the copy is as durable as a send (flushed under SYNC_FLUSH, on a
// slave under SYNC_MASTER). The consumer commits past the original on this answer, so an early
// answer could lose the message in a crash.

import { ConsumerSendMsgBackRequestHeader } from '../../protocol/headers/send-back-headers';
import { MessageConst } from '../../protocol/message/message-const';
import { createOffsetMessageId } from '../../protocol/message/message-id';
import { parseMessageProperties, type MessageProperties } from '../../protocol/message/message-properties';
import { MessageSysFlag, transactionType } from '../../protocol/message/message-sys-flag';
import type { DecodedStoredMessage } from '../../protocol/message/stored-message-decoder';
import { isWriteable, PermName } from '../../protocol/perm-name';
import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { PutMessageRequest } from '../../store/message-store';
import type { SubscriptionGroupConfig } from '../../store/metadata/subscription-group-file';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { RequestContext } from '../../transport/processor-table';
import type { BrokerContext } from '../broker-context';
import { notWriteableRemark, writableDeadLetterTopic } from '../delivery/dead-letter';
import { routeScheduled } from '../delivery/send-routing';
import { storedMessagePut } from '../delivery/stored-message-put';
import { isValidGroupName, retryTopicOf, SystemTopic } from '../topic/system-topics';

/** MQVersion V3_4_9's ordinal: from this client version on the header's maxReconsumeTimes counts. */
export const MAX_RECONSUME_TIMES_MIN_VERSION = 121;
/** The broker's choice of level when the header says 0: 3 + reconsumeTimes (10 s, 30 s, 1 m, ...). */
const FIRST_RETRY_LEVEL = 3;

interface CopySource {
  readonly group: SubscriptionGroupConfig;
  readonly retry: TopicConfig;
  readonly message: DecodedStoredMessage;
}

type Copy =
  | { readonly ok: true; readonly put: PutMessageRequest; readonly deadLetter: boolean }
  | { readonly ok: false; readonly code: number; readonly remark: string };

export async function processConsumerSendMsgBack(
  context: BrokerContext,
  request: RemotingCommand,
  _requestContext: RequestContext,
): Promise<RemotingCommand> {
  const header = ConsumerSendMsgBackRequestHeader.decode(request.extFields);
  const target = await sendBackTarget(context, header.group);
  if (target.kind === 'refused') return createResponse(request, target.code, target.remark);
  if (target.kind === 'dropped') return createResponse(request, ResponseCode.SUCCESS, target.remark);
  const { group, retry } = target;
  const message = await context.store.readMessageAt(header.offset);
  // The offset comes from the client: make sure it named the start of a record, not a stray hit.
  if (message === undefined || message.physicalOffset !== header.offset) {
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `look message by offset failed, ${header.offset}: no message starts at that commit-log offset on ` +
        `broker ${context.config.brokerName} (removed by retention, or sent back to the wrong broker)`,
    );
  }
  const internal = internalRecordProblem(message);
  if (internal !== undefined) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, internal);
  const copy = await copyFor(context, request, header, { group, retry, message });
  if (!copy.ok) return createResponse(request, copy.code, copy.remark);
  // On a SYNC_MASTER the copy must reach a slave too before the consumer moves past the original.
  const stored = await context.store.putMessage(copy.put);
  if (stored.status !== 'PUT_OK') {
    context.stats.recordPutFailure();
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `${stored.status}: the message could not be stored for retry (${stored.error?.message ?? 'no detail'}); ` +
        'the consumer retries it locally',
    );
  }
  const result = (await context.replication.awaitSlaves([stored], [true]))[0]!;
  if (result.status !== 'PUT_OK') {
    // Stored here, not yet on a slave: the consumer keeps the original and retries it locally.
    return createResponse(
      request,
      ResponseCode.SYSTEM_ERROR,
      `${result.status}: the copy for retry is stored but no slave has it yet; the consumer retries the ` +
        'message locally, so it may be consumed twice',
    );
  }
  context.stats.recordPut(1, result.totalSize);
  if (copy.deadLetter) {
    context.log.info('message moved to the dead-letter queue', {
      group: group.groupName,
      topic: copy.put.fields.topic,
      reconsumeTimes: message.reconsumeTimes,
      originMsgId: parseMessageProperties(copy.put.fields.properties).get(
        MessageConst.PROPERTY_ORIGIN_MESSAGE_ID,
      ),
    });
  }
  return createResponse(request, ResponseCode.SUCCESS);
}

type SendBackTarget =
  | { readonly kind: 'retry'; readonly group: SubscriptionGroupConfig; readonly retry: TopicConfig }
  | { readonly kind: 'dropped'; readonly remark: string }
  | { readonly kind: 'refused'; readonly code: number; readonly remark: string };

/**
 * Steps 1 and 2 of RocketMQ's algorithm: may this broker take the group's message back, and its
 * retry topic (created and announced if absent).
 */
async function sendBackTarget(context: BrokerContext, groupName: string): Promise<SendBackTarget> {
  const { config } = context;
  const refused = (code: number, remark: string): SendBackTarget => ({ kind: 'refused', code, remark });
  if (config.brokerRole === 'SLAVE') {
    return refused(
      ResponseCode.SERVICE_NOT_AVAILABLE,
      `broker ${config.brokerName} (${context.brokerAddr}) is a SLAVE; send the message back to its master`,
    );
  }
  if (!isValidGroupName(groupName)) {
    return refused(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `${JSON.stringify(groupName)} is not a valid consumer group name: use 1 to 120 characters from ` +
        'a-z A-Z 0-9 _ - % |',
    );
  }
  const group = await context.groups.findOrAutoCreate(groupName);
  if (group === undefined) {
    return refused(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      `subscription group not exist, ${groupName}; create it (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP) ` +
        'or set autoCreateSubscriptionGroup=true on the broker',
    );
  }
  if ((config.brokerPermission & PermName.WRITE) === 0) {
    return refused(
      ResponseCode.NO_PERMISSION,
      `the broker[${context.brokerAddr}] sending message is forbidden (brokerPermission=${config.brokerPermission})`,
    );
  }
  if (group.retryQueueNums <= 0) {
    // RocketMQ's rule: such a group does not retry; the message is acknowledged and dropped.
    context.log.debug('send-back dropped: the group does not retry', { group: group.groupName });
    return {
      kind: 'dropped',
      remark: `not retried: group ${group.groupName} has retryQueueNums ${group.retryQueueNums}`,
    };
  }
  const existed = context.topics.select(retryTopicOf(group.groupName)) !== undefined;
  const retry = await context.topics.createRetryTopicIfAbsent(group.groupName, group.retryQueueNums);
  // A new route: announce it now, not at the next periodic registration (createTopicInSendMessageBackMethod).
  if (!existed) context.topicsChanged();
  if (!isWriteable(retry.perm)) {
    return refused(ResponseCode.NO_PERMISSION, notWriteableRemark(retry.topicName, retry.perm));
  }
  return { kind: 'retry', group, retry };
}

/** The record to store: the DLQ copy, or the retry copy parked at its delay level. */
async function copyFor(
  context: BrokerContext,
  request: RemotingCommand,
  header: ConsumerSendMsgBackRequestHeader,
  { group, retry, message }: CopySource,
): Promise<Copy> {
  const properties = retryProperties(message);
  const reconsumeTimes = message.reconsumeTimes + 1;
  const max =
    header.maxReconsumeTimes !== undefined && request.version >= MAX_RECONSUME_TIMES_MIN_VERSION
      ? header.maxReconsumeTimes
      : group.retryMaxTimes;
  if (message.reconsumeTimes >= max || header.delayLevel < 0) {
    const dlq = await writableDeadLetterTopic(context, group.groupName);
    if (!dlq.ok) return dlq;
    properties.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
    const topic = dlq.topic.topicName;
    const put = storedMessagePut(message, { topic, queueId: 0, properties, reconsumeTimes });
    return { ok: true, put, deadLetter: true };
  }
  const queueCount = Math.max(1, Math.min(group.retryQueueNums, retry.writeQueueNums));
  const queueId = Math.floor(Math.random() * queueCount);
  const levels = context.config.messageDelayLevelsMs.length;
  const asked = header.delayLevel === 0 ? FIRST_RETRY_LEVEL + message.reconsumeTimes : header.delayLevel;
  const level = Math.min(asked, levels);
  const put = storedMessagePut(message, { topic: retry.topicName, queueId, properties, reconsumeTimes });
  return { ok: true, put: routeScheduled(put, { kind: 'level', level }), deadLetter: false };
}

/** The original's properties with RETRY_TOPIC and ORIGIN_MESSAGE_ID set if they are not yet. */
function retryProperties(message: DecodedStoredMessage): MessageProperties {
  const properties = parseMessageProperties(message.properties);
  if (!properties.has(MessageConst.PROPERTY_RETRY_TOPIC)) {
    properties.set(MessageConst.PROPERTY_RETRY_TOPIC, message.topic);
  }
  if ((properties.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID) ?? '') === '') {
    properties.set(
      MessageConst.PROPERTY_ORIGIN_MESSAGE_ID,
      createOffsetMessageId(message.storeHost, message.physicalOffset),
    );
  }
  return properties;
}

/** Topics whose records are the broker's own bookkeeping or parked copies, never delivered as they are. */
const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.SCHEDULE,
  SystemTopic.TIMER,
]);

/** Why `message` is not one a consumer received (see the top of this file), or undefined. */
function internalRecordProblem(message: DecodedStoredMessage): string | undefined {
  const at = `the record at commit-log offset ${message.physicalOffset}`;
  const fix = 'send back the offset of a message the consumer pulled from its topic';
  if (INTERNAL_TOPICS.has(message.topic)) {
    return `${at} is in ${message.topic}, the broker's own record, not a message a consumer receives; ${fix}`;
  }
  const type = transactionType(message.sysFlag);
  if (
    type === MessageSysFlag.TRANSACTION_PREPARED_TYPE ||
    type === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
  ) {
    const kind = type === MessageSysFlag.TRANSACTION_PREPARED_TYPE ? 'PREPARED' : 'ROLLBACK';
    return `${at} is a ${kind} transactional record, never delivered to consumers; ${fix}`;
  }
  return undefined;
}
