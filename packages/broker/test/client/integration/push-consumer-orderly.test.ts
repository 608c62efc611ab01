// The orderly push consumer against two in-process brokers: messages sharded by order id are
// consumed one at a time per queue, in queue order, by one member at a time, while members join
// and leave (queues move between them under broker locks).

import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import { messageQueueKey } from '../../../src/client/consumer/message-queue';
import type { Producer } from '../../../src/client/producer/producer';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import { ClientsToClose, createTopic, fastConsumerOptions, startProducer } from './consumer-test-kit';

interface Observation {
  readonly consumer: string;
  readonly offset: number;
}

describe('PushConsumer, orderly', () => {
  let cluster: ClientTestCluster;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a', 'broker-b']);
    producer = await startProducer(cluster, 'ord-pg');
  });

  afterEach(() => clients.closeAll());

  afterAll(async () => {
    await producer.shutdown();
    await cluster.stop();
  });

  it('keeps per-queue order and never lets two members consume one queue at once', async () => {
    const topic = 'OrderlyRebalance';
    await createTopic(cluster, topic, 4);
    const observations = new Map<string, Observation[]>();
    const inside = new Map<string, number>();
    const seen = new Set<string>();
    let overlaps = 0;

    const member = (name: string): PushConsumer => {
      const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, 'ord-cg')));
      consumer.subscribe(topic, '*');
      consumer.onMessagesOrderly(async (messages, context) => {
        const key = messageQueueKey(context.messageQueue);
        inside.set(key, (inside.get(key) ?? 0) + 1);
        if ((inside.get(key) ?? 0) > 1) overlaps++;
        // Yield to the event loop so another member could interleave if the locks did not hold.
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const message of messages) {
          const list = observations.get(key) ?? [];
          list.push({ consumer: name, offset: message.queueOffset });
          observations.set(key, list);
          seen.add(message.offsetMsgId);
        }
        inside.set(key, (inside.get(key) ?? 1) - 1);
        return 'SUCCESS' as const;
      });
      return consumer;
    };

    const first = member('first');
    const second = member('second');
    await first.start();
    await second.start();

    const sentIds: string[] = [];
    const sending = (async () => {
      for (let seq = 0; seq < 60; seq++) {
        const sends = Array.from({ length: 20 }, (_, order) =>
          producer.send({ topic, body: `order-${order}:${seq}` }, { shardingKey: `order-${order}` }),
        );
        for (const result of await Promise.all(sends)) sentIds.push(result.offsetMsgId);
      }
    })();

    await waitFor(() => seen.size >= 300, { timeoutMs: 10_000, description: '300 consumed' });
    const third = member('third');
    await third.start();
    await waitFor(() => seen.size >= 700, { timeoutMs: 10_000, description: '700 consumed' });
    await first.shutdown();
    await sending;
    await waitFor(() => sentIds.every((id) => seen.has(id)), {
      timeoutMs: 15_000,
      description: 'all 1200 consumed',
    });

    expect(overlaps).toBe(0);
    for (const [queue, list] of observations) {
      for (let i = 1; i < list.length; i++) {
        const previous = list[i - 1]!;
        const current = list[i]!;
        if (current.offset === previous.offset + 1) continue;
        // Only at a handover may the new owner start again with the message that was in flight
        // when the queue was taken away (it had not been committed); never anything else.
        expect({ queue, previous, current }).toEqual({
          queue,
          previous,
          current: { consumer: expect.not.stringMatching(`^${previous.consumer}$`), offset: previous.offset },
        });
      }
    }
    expect(observations.size).toBe(8);
    // The test is only meaningful if queues did move between members while messages flowed.
    const movedQueues = [...observations.values()].filter(
      (list) => new Set(list.map((o) => o.consumer)).size > 1,
    );
    expect(movedQueues.length).toBeGreaterThan(0);
  }, 45_000);
});
