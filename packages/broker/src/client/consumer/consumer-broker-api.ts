// What the consumer engine needs from the client core, as a seam: the engine (rebalance, offset
// stores, consume services) never touches sockets, routes or codecs, so it runs against a fake in
// tests and against the ClientInstance in production. Each method names the request it stands for.

import type { MessageQueue } from './message-queue';

/**
 * The fields of a pulled message the engine reads. Kept minimal so the client core's MessageExt
 * satisfies it structurally.
 */
export interface MessageLike {
  readonly topic: string;
  readonly queueId: number;
  /** Position in the consume queue: what offsets count. */
  readonly queueOffset: number;
  readonly msgId: string;
  readonly body: Uint8Array;
  /** The TAGS property, when the message has one. */
  readonly tags?: string | undefined;
  /** How many times the broker has redelivered it (0 on first delivery). */
  readonly reconsumeTimes: number;
  readonly storeTimestamp: number;
}

export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

export interface PullOptions {
  /** Consume-queue offset to read from. */
  readonly offset: number;
  readonly maxNums: number;
  /** Tag expression ("*" or "A || B"), sent when postSubscriptionWhenPull is on. */
  readonly subscriptionExpression: string;
  /** The in-memory consumer offset piggy-backed on the pull (CLUSTERING only, when > 0). */
  readonly commitOffset?: number | undefined;
  /** How long the broker may hold the pull when there is nothing new (long polling). */
  readonly suspendMs: number;
  /** RPC timeout; longer than `suspendMs` so a held pull is not cut short. */
  readonly timeoutMs: number;
}

export interface PullResult<M extends MessageLike = MessageLike> {
  readonly status: PullStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Empty unless FOUND. */
  readonly messages: readonly M[];
}

export interface UpdateOffsetOptions {
  /** UPDATE_CONSUMER_OFFSET without waiting for the answer, as the Java client's periodic persist. */
  readonly oneway: boolean;
}

export interface ConsumerBrokerApi<M extends MessageLike = MessageLike> {
  /** PULL_MESSAGE to the queue's broker. */
  pull(queue: MessageQueue, options: PullOptions): Promise<PullResult<M>>;
  /** QUERY_CONSUMER_OFFSET; undefined when the broker has none (QUERY_NOT_FOUND). */
  queryConsumerOffset(queue: MessageQueue): Promise<number | undefined>;
  /** UPDATE_CONSUMER_OFFSET. */
  updateConsumerOffset(queue: MessageQueue, offset: number, options: UpdateOffsetOptions): Promise<void>;
  /** GET_CONSUMER_LIST_BY_GROUP, asked of a broker serving `topic`. */
  consumerIds(group: string, topic: string): Promise<readonly string[]>;
  /** GET_MAX_OFFSET. */
  maxOffset(queue: MessageQueue): Promise<number>;
  /** SEARCH_OFFSET_BY_TIMESTAMP. */
  searchOffset(queue: MessageQueue, timestampMs: number): Promise<number>;
  /** LOCK_BATCH_MQ to the master of `brokerName`; resolves with the queues now held by this client. */
  lockBatch(brokerName: string, queues: readonly MessageQueue[]): Promise<readonly MessageQueue[]>;
  /** UNLOCK_BATCH_MQ to the master of `brokerName`. */
  unlockBatch(brokerName: string, queues: readonly MessageQueue[]): Promise<void>;
  /**
   * CONSUMER_SEND_MSG_BACK for a message this group failed to consume. `delayLevel` 0 lets the
   * broker choose (3 + reconsumeTimes), −1 sends it straight to the dead-letter queue.
   */
  sendMessageBack(message: M, delayLevel: number): Promise<void>;
  /** The topic's read queues from its route (not necessarily sorted). */
  queuesOf(topic: string): Promise<readonly MessageQueue[]>;
}
