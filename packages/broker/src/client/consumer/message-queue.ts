// The consumer's view of a MessageQueue ([C]message/MessageQueue.java): the wire type from the
// protocol bodies plus the order and key RocketMQ's client relies on. Allocation strategies only
// agree across consumers when every consumer sorts the same way (facts §8.4).

import type { MessageQueue } from '../../protocol/bodies/message-queue';

export type { MessageQueue };

/** MessageQueue.compareTo: topic, then brokerName, then queueId. */
export function compareMessageQueues(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

/** A sorted copy; the input is left alone. */
export function sortMessageQueues(queues: readonly MessageQueue[]): MessageQueue[] {
  return [...queues].sort(compareMessageQueues);
}

/** A map key for a queue; JSON rather than a separator, since broker names may contain any character. */
export function messageQueueKey(queue: MessageQueue): string {
  return JSON.stringify([queue.topic, queue.brokerName, queue.queueId]);
}

export function sameMessageQueue(a: MessageQueue, b: MessageQueue): boolean {
  return a.topic === b.topic && a.brokerName === b.brokerName && a.queueId === b.queueId;
}

/** How a queue is named in logs and error messages. */
export function describeMessageQueue(queue: MessageQueue): string {
  return `${queue.topic}@${queue.brokerName}:${queue.queueId}`;
}
