// The write queues a producer may send a topic's messages to, built from its route like
// MQClientInstance.topicRouteData2TopicPublishInfo: brokers in name order, for each broker with a
// master and write permission, queues 0..writeQueueNums-1. Picks queues round-robin.

import { randomInt } from 'node:crypto';

import type { TopicRouteData } from '../../protocol/bodies/topic-route-data';
import { isWriteable } from '../../protocol/perm-name';
import type { MessageQueue } from '../message';
import { MASTER_BROKER_ID } from '../route-snapshot';
import type { LatencyFaultTolerance } from './latency-fault-tolerance';

export class TopicPublishInfo {
  readonly topic: string;
  readonly queues: readonly MessageQueue[];
  /** True when the queues come from the auto-create template (TBW102): the topic has no route yet. */
  readonly fromTemplate: boolean;
  // Random start, as RocketMQ's ThreadLocalIndex, so producers started together spread out.
  #next = randomInt(0x10000);

  constructor(topic: string, queues: readonly MessageQueue[], fromTemplate: boolean) {
    this.topic = topic;
    this.queues = queues;
    this.fromTemplate = fromTemplate;
  }

  /**
   * Queues of `route` for `topic`. With `maxQueuesPerBroker` (the template case) each broker
   * offers at most that many, as RocketMQ caps TBW102's queues at defaultTopicQueueNums.
   */
  static fromRoute(
    topic: string,
    route: TopicRouteData,
    options: { readonly fromTemplate?: boolean; readonly maxQueuesPerBroker?: number } = {},
  ): TopicPublishInfo {
    const masters = new Set(
      route.brokerDatas.filter((b) => b.brokerAddrs.has(MASTER_BROKER_ID)).map((b) => b.brokerName),
    );
    const queues: MessageQueue[] = [];
    const queueDatas = [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName));
    for (const data of queueDatas) {
      if (!isWriteable(data.perm) || !masters.has(data.brokerName)) continue;
      const count = Math.min(data.writeQueueNums, options.maxQueuesPerBroker ?? data.writeQueueNums);
      for (let queueId = 0; queueId < count; queueId++)
        queues.push({ topic, brokerName: data.brokerName, queueId });
    }
    return new TopicPublishInfo(topic, queues, options.fromTemplate ?? false);
  }

  get isEmpty(): boolean {
    return this.queues.length === 0;
  }

  /** Round-robin, skipping `avoidBroker` (the broker that just failed) while another exists. */
  selectQueue(avoidBroker?: string): MessageQueue | undefined {
    return this.#scan((queue) => queue.brokerName !== avoidBroker) ?? this.#take();
  }

  /**
   * Round-robin over brokers the fault tolerance does not avoid, preferring one other than
   * `avoidBroker`; when every broker is avoided, the least bad one, else plain round-robin.
   */
  selectQueueAvoidingFaults(faults: LatencyFaultTolerance, avoidBroker?: string): MessageQueue | undefined {
    const healthy =
      this.#scan((q) => q.brokerName !== avoidBroker && faults.isAvailable(q.brokerName)) ??
      this.#scan((q) => faults.isAvailable(q.brokerName));
    if (healthy !== undefined) return healthy;
    const leastBad = faults.pickOneAtLeast();
    return (
      (leastBad === undefined ? undefined : this.#scan((q) => q.brokerName === leastBad)) ??
      this.selectQueue(avoidBroker)
    );
  }

  #take(): MessageQueue | undefined {
    if (this.queues.length === 0) return undefined;
    const queue = this.queues[this.#next % this.queues.length];
    this.#next = (this.#next + 1) & 0x7fffffff;
    return queue;
  }

  #scan(accept: (queue: MessageQueue) => boolean): MessageQueue | undefined {
    for (let i = 0; i < this.queues.length; i++) {
      const queue = this.#take();
      if (queue !== undefined && accept(queue)) return queue;
    }
    return undefined;
  }
}
