// Fakes for the consumer engine's tests: messages, queues and an in-memory ConsumerBrokerApi that
// records every call and can be told to fail.
import type {
  ConsumerBrokerApi,
  MessageLike,
  MessageQueue,
  PullOptions,
  PullResult,
} from '../../../src/client/consumer';
import { messageQueueKey } from '../../../src/client/consumer';

export function mq(topic: string, brokerName: string, queueId: number): MessageQueue {
  return { topic, brokerName, queueId };
}

export function message(queueOffset: number, fields: Partial<MessageLike> = {}): MessageLike {
  return {
    topic: 'T',
    queueId: 0,
    queueOffset,
    msgId: `msg-${queueOffset}`,
    body: new Uint8Array(10),
    reconsumeTimes: 0,
    storeTimestamp: 0,
    ...fields,
  };
}

export function messages(from: number, count: number, fields: Partial<MessageLike> = {}): MessageLike[] {
  return Array.from({ length: count }, (_, i) => message(from + i, fields));
}

export class FakeConsumerApi implements ConsumerBrokerApi {
  readonly queuesByTopic = new Map<string, MessageQueue[]>();
  readonly consumersByGroup = new Map<string, string[]>();
  readonly storedOffsets = new Map<string, number>();
  readonly maxOffsets = new Map<string, number>();
  /** Queues whose lock the broker refuses (held by someone else). */
  readonly lockedByOthers = new Set<string>();
  readonly calls: string[] = [];
  readonly sentBack: { message: MessageLike; delayLevel: number }[] = [];
  readonly uploads: { queue: MessageQueue; offset: number; oneway: boolean }[] = [];
  readonly unlocked: MessageQueue[] = [];
  failSendBack = false;
  failLock = false;
  searchResult = 7;

  async pull(_queue: MessageQueue, _options: PullOptions): Promise<PullResult> {
    return { status: 'NO_NEW_MSG', nextBeginOffset: 0, minOffset: 0, maxOffset: 0, messages: [] };
  }

  async queryConsumerOffset(queue: MessageQueue): Promise<number | undefined> {
    this.calls.push(`query ${messageQueueKey(queue)}`);
    return this.storedOffsets.get(messageQueueKey(queue));
  }

  async updateConsumerOffset(
    queue: MessageQueue,
    offset: number,
    options: { oneway: boolean },
  ): Promise<void> {
    this.uploads.push({ queue, offset, oneway: options.oneway });
    this.storedOffsets.set(messageQueueKey(queue), offset);
  }

  async consumerIds(group: string, _topic: string): Promise<readonly string[]> {
    return this.consumersByGroup.get(group) ?? [];
  }

  async maxOffset(queue: MessageQueue): Promise<number> {
    this.calls.push(`max ${queue.topic}`);
    return this.maxOffsets.get(messageQueueKey(queue)) ?? 100;
  }

  async searchOffset(queue: MessageQueue, timestampMs: number): Promise<number> {
    this.calls.push(`search ${queue.topic} ${timestampMs}`);
    return this.searchResult;
  }

  async lockBatch(_brokerName: string, queues: readonly MessageQueue[]): Promise<readonly MessageQueue[]> {
    this.calls.push(`lock ${queues.map(messageQueueKey).join(' ')}`);
    if (this.failLock) throw new Error('broker unreachable');
    return queues.filter((queue) => !this.lockedByOthers.has(messageQueueKey(queue)));
  }

  async unlockBatch(_brokerName: string, queues: readonly MessageQueue[]): Promise<void> {
    this.calls.push(`unlock ${queues.map(messageQueueKey).join(' ')}`);
    this.unlocked.push(...queues);
  }

  async sendMessageBack(msg: MessageLike, delayLevel: number): Promise<void> {
    if (this.failSendBack) throw new Error('send-back failed');
    this.sentBack.push({ message: msg, delayLevel });
  }

  async queuesOf(topic: string): Promise<readonly MessageQueue[]> {
    return this.queuesByTopic.get(topic) ?? [];
  }
}

/** A promise with its resolver, for listeners that finish when a test says so. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets queued promise continuations run (fake APIs resolve in microtasks). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
