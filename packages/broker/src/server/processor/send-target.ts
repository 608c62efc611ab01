// The checks every send makes before storing (AbstractSendMessageProcessor.msgCheck): is this
// broker writable, is the topic name legal and not a system topic, does the topic exist (or may it
// be auto-created from its template), is the queue id valid. Each refusal is a response with
// RocketMQ's code and a remark that says what to do.

import { createResponse, type RemotingCommand } from '../../protocol/remoting/remoting-command';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { SendMessageRequestHeader } from '../../protocol/headers/send-headers';
import { isValidTopicName } from '../../store/message-validation';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { BrokerContext } from '../broker-context';
import { isWriteable, PermName } from '../../protocol/perm-name';
import { isRetryTopic, isSendForbiddenTopic } from '../topic/system-topics';

export type SendTarget =
  | { readonly ok: true; readonly topic: TopicConfig; readonly queueId: number }
  | { readonly ok: false; readonly response: RemotingCommand };

const RETRY_PREFIX = '%RETRY%';

export async function resolveSendTarget(
  context: BrokerContext,
  request: RemotingCommand,
  header: SendMessageRequestHeader,
  remoteAddress: string,
): Promise<SendTarget> {
  const refuse = (code: number, remark: string): SendTarget => ({
    ok: false,
    response: createResponse(request, code, remark),
  });
  const { config } = context;
  if (config.brokerRole === 'SLAVE') {
    return refuse(
      ResponseCode.SERVICE_NOT_AVAILABLE,
      `broker ${config.brokerName} (${context.brokerAddr}) is a SLAVE; send to its master`,
    );
  }
  // RocketMQ refuses here only for order topics and relies on the read-only permission it registers
  // to steer producers away; Keel refuses every send, so a broker being drained stores nothing new
  // even from producers whose routes are up to 30 s old.
  if ((config.brokerPermission & PermName.WRITE) === 0) {
    return refuse(
      ResponseCode.NO_PERMISSION,
      `the broker[${context.brokerAddr}] sending message is forbidden (brokerPermission=${config.brokerPermission})`,
    );
  }
  const topicName = header.topic;
  if (!isValidTopicName(topicName)) {
    return refuse(
      ResponseCode.SYSTEM_ERROR,
      `The specified topic[${topicName.slice(0, 200)}] is not valid: a topic is 1 to 127 characters of ` +
        'letters, digits, %, |, _ and -',
    );
  }
  if (isSendForbiddenTopic(topicName)) {
    return refuse(ResponseCode.NO_PERMISSION, `Sending message to topic[${topicName}] is forbidden.`);
  }
  let topic = context.topics.select(topicName);
  if (topic === undefined && isRetryTopic(topicName)) {
    // A consumer re-sending to its retry topic directly (as the client's fallback does).
    const group = await context.groups.findOrAutoCreate(topicName.slice(RETRY_PREFIX.length));
    if (group !== undefined) {
      topic = await context.topics.createRetryTopicIfAbsent(group.groupName, group.retryQueueNums);
      // Announce it like any auto-created topic (RocketMQ's createTopicInSendMessageBackMethod
      // re-registers): otherwise consumers find no route to it until the next periodic registration.
      context.topicsChanged();
    }
  }
  if (topic === undefined) {
    topic = await context.topics.createInSendMessageMethod(
      topicName,
      header.defaultTopic,
      remoteAddress,
      header.defaultTopicQueueNums,
      header.sysFlag,
    );
    if (topic !== undefined) context.topicsChanged();
  }
  if (topic === undefined) {
    return refuse(
      ResponseCode.TOPIC_NOT_EXIST,
      context.topics.autoCreateRefusal(topicName, header.defaultTopic),
    );
  }
  if (!isWriteable(topic.perm)) {
    return refuse(
      ResponseCode.NO_PERMISSION,
      `the topic[${topicName}] sending message is forbidden (perm ${topic.perm})`,
    );
  }
  const queueCount = Math.max(topic.readQueueNums, topic.writeQueueNums);
  let queueId = header.queueId;
  if (queueId < 0) queueId = Math.floor(Math.random() * topic.writeQueueNums);
  if (queueId >= queueCount) {
    return refuse(
      ResponseCode.SYSTEM_ERROR,
      `request queueId[${queueId}] is illegal: topic ${topicName} has ${queueCount} queues (0 to ${queueCount - 1})`,
    );
  }
  return { ok: true, topic, queueId };
}
