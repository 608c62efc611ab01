// Queue allocation strategies of a CLUSTERING consumer group (facts §8.4). Every consumer of the
// group runs the same pure function over the same sorted inputs and takes its own share, so the
// shares partition the queues without any coordination beyond the broker's consumer list.

import { compareMessageQueues, type MessageQueue } from './message-queue';

export type AllocationStrategyName = 'AVG' | 'AVG_BY_CIRCLE';

/**
 * `queues` must be sorted with compareMessageQueues and `clientIds` lexicographically (both as
 * RebalanceImpl sorts them); a client id not in `clientIds` gets nothing.
 */
export type AllocateMessageQueues = (
  queues: readonly MessageQueue[],
  clientIds: readonly string[],
  currentClientId: string,
) => MessageQueue[];

/**
 * AllocateMessageQueueAveragely: consecutive blocks; the first `n % c` consumers take one queue
 * more than the others; consumers beyond the number of queues take nothing.
 */
export const allocateAveragely: AllocateMessageQueues = (queues, clientIds, currentClientId) => {
  const index = clientIds.indexOf(currentClientId);
  if (index < 0 || queues.length === 0) return [];
  const queueCount = queues.length;
  const clientCount = clientIds.length;
  const mod = queueCount % clientCount;
  const base = Math.floor(queueCount / clientCount);
  const size = queueCount <= clientCount ? 1 : index < mod ? base + 1 : base;
  const start = index < mod ? index * size : index * size + mod;
  const take = Math.max(0, Math.min(size, queueCount - start));
  return queues.slice(start, start + take);
};

/** AllocateMessageQueueAveragelyByCircle: queue j goes to consumer j % c. */
export const allocateByCircle: AllocateMessageQueues = (queues, clientIds, currentClientId) => {
  const index = clientIds.indexOf(currentClientId);
  if (index < 0) return [];
  return queues.filter((_, position) => position % clientIds.length === index);
};

export const ALLOCATION_STRATEGIES: Readonly<Record<AllocationStrategyName, AllocateMessageQueues>> = {
  AVG: allocateAveragely,
  AVG_BY_CIRCLE: allocateByCircle,
};

/** Sorts both inputs as RebalanceImpl does, then allocates; for callers holding unsorted lists. */
export function allocateSorted(
  strategy: AllocateMessageQueues,
  queues: readonly MessageQueue[],
  clientIds: readonly string[],
  currentClientId: string,
): MessageQueue[] {
  const sortedQueues = [...queues].sort(compareMessageQueues);
  const sortedIds = [...new Set(clientIds)].sort();
  return strategy(sortedQueues, sortedIds, currentClientId);
}
