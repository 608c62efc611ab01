// The tables behind GET_TOPIC_STATS_INFO (202) and GET_CONSUME_STATS (208) (fact sheet §2.12), as
// RocketMQ's AdminBrokerProcessor fills them: one row per queue, keyed by MessageQueue.

import type { MessageQueue } from '../../protocol/bodies/message-queue';
import type {
  ConsumeStats,
  OffsetWrapper,
  TopicOffset,
  TopicStatsTable,
} from '../../protocol/bodies/queue-stats-bodies';
import type { TopicConfig } from '../../store/metadata/topic-config-file';
import type { BrokerContext } from '../broker-context';
import { storeTimeAtQueueOffset } from './queue-store-time';

/** Every write queue of the topic: its offsets and the store time of its newest message (0 if none). */
export async function topicStatsTable(context: BrokerContext, topic: TopicConfig): Promise<TopicStatsTable> {
  const { store } = context;
  const offsetTable: Array<[MessageQueue, TopicOffset]> = [];
  // Write queues, as RocketMQ: they are the ones producers fill (read queues beyond them stay empty).
  for (let queueId = 0; queueId < topic.writeQueueNums; queueId++) {
    const minOffset = store.minOffsetInQueue(topic.topicName, queueId);
    const maxOffset = store.maxOffsetInQueue(topic.topicName, queueId);
    const lastUpdateTimestamp =
      maxOffset > 0 ? await storeTimeAtQueueOffset(store, topic.topicName, queueId, maxOffset - 1) : 0;
    offsetTable.push([
      queueOf(context, topic.topicName, queueId),
      { minOffset, maxOffset, lastUpdateTimestamp },
    ]);
  }
  return { offsetTable };
}

/**
 * The group's progress on `topic`, or on every topic it committed offsets for. Topics that no longer
 * exist are skipped, and so are topics an online group no longer subscribes to (stale offsets).
 *
 * consumeTps is always 0: Keel does not measure per-group pull rates yet (RocketMQ takes it from
 * its stats manager's per-minute sampling).
 */
export async function consumeStats(
  context: BrokerContext,
  group: string,
  topic: string | undefined,
): Promise<ConsumeStats> {
  const topics = topic === undefined ? context.offsets.topicsOfGroup(group) : [topic];
  const online = context.consumers.groupView(group);
  const offsetTable: Array<[MessageQueue, OffsetWrapper]> = [];
  for (const topicName of topics) {
    const config = context.topics.select(topicName);
    if (config === undefined) continue;
    if (online !== undefined && online.subscriptions.size > 0 && !online.subscriptions.has(topicName))
      continue;
    // Read queues, as RocketMQ: they are the ones consumers are allocated.
    for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
      const consumerOffset = Math.max(0, context.offsets.query(group, topicName, queueId) ?? 0);
      offsetTable.push([
        queueOf(context, topicName, queueId),
        {
          brokerOffset: context.store.maxOffsetInQueue(topicName, queueId),
          consumerOffset,
          // The newest message the group has consumed: the one just before its committed offset.
          lastTimestamp: await storeTimeAtQueueOffset(context.store, topicName, queueId, consumerOffset - 1),
        },
      ]);
    }
  }
  return { offsetTable, consumeTps: 0 };
}

function queueOf(context: BrokerContext, topic: string, queueId: number): MessageQueue {
  return { topic, brokerName: context.config.brokerName, queueId };
}
