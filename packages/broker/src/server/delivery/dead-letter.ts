// %DLQ%<group>: where a message goes once its group has failed it maxReconsumeTimes times (or a
// consumer asks, with delay level -1). One queue, readable and writable (RocketMQ 4.9.2+), created
// the first time the group dead-letters anything.

import { PERM_READ_WRITE } from '../../protocol/perm-name';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { BrokerContext } from '../broker-context';
import { dlqTopicOf } from '../topic/system-topics';

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
