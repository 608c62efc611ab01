// Helpers for the consumer integration tests: topics created on every broker up front (so queue
// counts are known), short schedules, and collectors that record what listeners saw.

import { systemClock } from '../../../src/common/clock';
import type { PushConsumerOptions } from '../../../src/client/consumer/push-consumer-options';
import type { ConsumedMessage } from '../../../src/client/consumer/consumed-message';
import { Producer } from '../../../src/client/producer/producer';
import { waitFor } from '../../../src/testing/await-event';
import type { ClientTestCluster } from '../client-cluster-fixture';

let instanceCounter = 0;

/** A distinct instanceName per client, so each consumer is its own member of the group. */
export function nextInstanceName(prefix: string): string {
  instanceCounter += 1;
  return `${prefix}-${process.pid}-${instanceCounter}`;
}

/** Creates `topic` with `queueNums` read/write queues on every running broker and waits for its route. */
export async function createTopic(
  cluster: ClientTestCluster,
  topic: string,
  queueNums: number,
): Promise<void> {
  for (const broker of cluster.brokers.values()) {
    await broker.context.topics.createOrUpdate({
      topicName: topic,
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
    });
    // What UPDATE_AND_CREATE_TOPIC does after the change: register the new route at once.
    broker.context.topicsChanged();
  }
  const probe = new Producer({
    group: 'kit-route-probe',
    nameServer: cluster.nameServer.address,
    instanceName: nextInstanceName('probe'),
  });
  await probe.start();
  try {
    await waitFor(
      async () => {
        const route = await probe.clientInstance!.topicRoute(topic, { refresh: true });
        return route !== undefined && route.queueDatas.length === cluster.brokers.size;
      },
      { timeoutMs: 10_000, intervalMs: 50, description: `route of ${topic} on every broker` },
    );
  } finally {
    await probe.shutdown();
  }
}

/** Fast schedules for tests: the production defaults are tens of seconds. */
export function fastConsumerOptions(cluster: ClientTestCluster, group: string): PushConsumerOptions {
  return {
    group,
    nameServer: cluster.nameServer.address,
    instanceName: nextInstanceName(group),
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    rebalanceIntervalMs: 500,
    persistConsumerOffsetIntervalMs: 200,
    lockRenewIntervalMs: 500,
    brokerSuspendMaxMs: 1000,
    pullTimeoutMs: 3000,
    pullDelayOnErrorMs: 100,
    pollNameServerIntervalMs: 300,
    heartbeatBrokerIntervalMs: 300,
    clock: systemClock,
  };
}

export function bodyText(message: ConsumedMessage): string {
  return message.body.toString('utf8');
}

/**
 * Sends `count` messages from `producer`, `parallel` at a time; returns their offsetMsgIds (unique
 * per stored record: two producers of one process were seen to produce the same UNIQ_KEY msgId).
 */
export async function sendMany(
  producer: Producer,
  topic: string,
  count: number,
  options: { readonly parallel?: number; readonly prefix?: string } = {},
): Promise<string[]> {
  const parallel = options.parallel ?? 50;
  const ids: string[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, (_, i) =>
      producer.send({ topic, body: `${options.prefix ?? 'm'}-${start + i}` }),
    );
    for (const result of await Promise.all(batch)) ids.push(result.offsetMsgId);
  }
  return ids;
}

export function startProducer(cluster: ClientTestCluster, group: string): Promise<Producer> {
  const producer = new Producer({
    group,
    nameServer: cluster.nameServer.address,
    instanceName: nextInstanceName(group),
    pollNameServerIntervalMs: 300,
    clock: systemClock,
  });
  return producer.start().then(() => producer);
}

/** Clients a test started, shut down in reverse order after it (also when it failed). */
export class ClientsToClose {
  readonly #clients: { shutdown(): Promise<void> }[] = [];

  track<C extends { shutdown(): Promise<void> }>(client: C): C {
    this.#clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    for (const client of this.#clients.splice(0).reverse()) await client.shutdown();
  }
}
