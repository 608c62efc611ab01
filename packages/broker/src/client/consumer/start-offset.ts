// Where a newly assigned queue starts (RebalancePushImpl.computePullFromWhereWithException, facts
// §8.5): the stored offset when there is one, else the group's ConsumeFromWhere policy.

import type { Clock } from '../../common/clock';
import type { ConsumerBrokerApi } from './consumer-broker-api';
import type { MessageQueue } from './message-queue';
import type { OffsetStore } from './offset-store';

export type ConsumeFromWhere =
  | 'CONSUME_FROM_LAST_OFFSET'
  | 'CONSUME_FROM_FIRST_OFFSET'
  | 'CONSUME_FROM_TIMESTAMP'
  // Deprecated in RocketMQ and treated as LAST there; accepted for configurations that name them.
  | 'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST'
  | 'CONSUME_FROM_MIN_OFFSET'
  | 'CONSUME_FROM_MAX_OFFSET';

export interface StartPolicy {
  readonly consumeFromWhere: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP: epoch ms to search from. */
  readonly consumeTimestampMs: number;
}

/** RocketMQ's default consumeTimestamp: half an hour before the consumer starts. */
export const DEFAULT_CONSUME_TIMESTAMP_LOOKBACK_MS = 30 * 60 * 1000;

export function defaultConsumeTimestampMs(clock: Clock): number {
  return clock.now() - DEFAULT_CONSUME_TIMESTAMP_LOOKBACK_MS;
}

const RETRY_TOPIC_PREFIX = '%RETRY%';

export function isRetryTopic(topic: string): boolean {
  return topic.startsWith(RETRY_TOPIC_PREFIX);
}

/**
 * The policy alone, for a queue with no stored offset. Retry topics are special: under LAST they
 * start at 0 (every redelivery parked there is owed to the group); under TIMESTAMP at the end
 * (their store times are the original failures', not the redeliveries').
 */
export async function startOffsetWithoutStoredOffset(
  api: Pick<ConsumerBrokerApi, 'maxOffset' | 'searchOffset'>,
  queue: MessageQueue,
  policy: StartPolicy,
): Promise<number> {
  switch (policy.consumeFromWhere) {
    case 'CONSUME_FROM_FIRST_OFFSET':
      return 0;
    case 'CONSUME_FROM_TIMESTAMP':
      return isRetryTopic(queue.topic)
        ? api.maxOffset(queue)
        : api.searchOffset(queue, policy.consumeTimestampMs);
    case 'CONSUME_FROM_LAST_OFFSET':
    case 'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST':
    case 'CONSUME_FROM_MIN_OFFSET':
    case 'CONSUME_FROM_MAX_OFFSET':
      return isRetryTopic(queue.topic) ? 0 : api.maxOffset(queue);
  }
}

/** The stored offset (asked of the store, not memory), else the policy. */
export async function computeStartOffset(
  offsetStore: Pick<OffsetStore, 'readOffset'>,
  api: Pick<ConsumerBrokerApi, 'maxOffset' | 'searchOffset'>,
  queue: MessageQueue,
  policy: StartPolicy,
): Promise<number> {
  const stored = await offsetStore.readOffset(queue, 'store');
  if (stored !== undefined && stored >= 0) return stored;
  return startOffsetWithoutStoredOffset(api, queue, policy);
}
