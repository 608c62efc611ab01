// Queue selectors for ordered sends: messages with the same sharding key go to the same queue, so
// a consumer of that queue sees them in send order (RocketMQ's MessageQueueSelector).

import { javaStringHashCode } from '../../protocol/message/java-string-hash';
import type { Message, MessageQueue } from '../message';

/** Picks one of the topic's write queues (never empty) for `message`. */
export type MessageQueueSelector = (queues: readonly MessageQueue[], message: Message) => MessageQueue;

/**
 * The queue at `|hash(shardingKey)| % queueCount`, with Java's String.hashCode, so a Java
 * producer using SelectMessageQueueByHash with the same key picks the same queue.
 */
export function selectByHash(shardingKey: string): MessageQueueSelector {
  const hash = Math.abs(javaStringHashCode(shardingKey));
  return (queues) => queues[hash % queues.length]!;
}
