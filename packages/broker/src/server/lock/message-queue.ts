/** A queue of a topic on one broker, as LOCK_BATCH_MQ's mqSet lists it (RocketMQ's MessageQueue). */
export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

/** A map key for a queue; NUL cannot occur in topic or broker names, so keys never collide. */
export function messageQueueKey(mq: MessageQueue): string {
  return `${mq.topic}\u0000${mq.brokerName}\u0000${mq.queueId}`;
}
