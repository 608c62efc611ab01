// %DLQ%<group>: where a message goes once its group has failed it maxReconsumeTimes times (or a
// consumer asks, with delay level -1). One queue, readable and writable (RocketMQ 4.9.2+), created
// the first time the group dead-letters anything.

import { isWriteable, PERM_READ_WRITE } from '../../protocol/perm-name';
import { ResponseCode } from '../../protocol/remoting/response-code';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { BrokerContext } from '../broker-context';
import { dlqTopicOf } from '../topic/system-topics';

export type DeadLetterTarget =
  | { readonly ok: true; readonly topic: TopicConfig }
  | { readonly ok: false; readonly code: number; readonly remark: string };

/**
 * Where `group`'s dead letters go (created if absent), or why they cannot be stored there: an
 * operator took away the topic's write permission.
 */
export async function writableDeadLetterTopic(
  context: BrokerContext,
  group: string,
): Promise<DeadLetterTarget> {
  const topic = await deadLetterTopicFor(context, group);
  if (isWriteable(topic.perm)) return { ok: true, topic };
  return {
    ok: false,
    code: ResponseCode.NO_PERMISSION,
    remark: notWriteableRemark(topic.topicName, topic.perm),
  };
}

/** RocketMQ's remark for a send to a topic without write permission, with the fix. */
export function notWriteableRemark(topic: string, perm: number): string {
  return `the topic[${topic}] sending message is forbidden (perm ${perm}); grant it write permission`;
}

/** RocketMQ's DLQ_NUMS_PER_GROUP. */
export const DLQ_QUEUE_NUMS = 1;

export async function deadLetterTopicFor(context: BrokerContext, group: string): Promise<TopicConfig> {
  const name = dlqTopicOf(group);
  const existing = context.topics.select(name);
  if (existing !== undefined) return existing;
  const created = await context.topics.createIfAbsent({
    topicName: name,
    readQueueNums: DLQ_QUEUE_NUMS,
    writeQueueNums: DLQ_QUEUE_NUMS,
    perm: PERM_READ_WRITE,
  });
  context.topicsChanged();
  return created;
}
