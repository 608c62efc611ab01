// The push consumer across a broker restart: consumption continues once the broker is back (at a
// new port, learnt from the name server), and the group's committed offsets survive the restart.

import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { Producer } from '../../../src/client/producer/producer';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import {
  ClientsToClose,
  createTopic,
  fastConsumerOptions,
  sendMany,
  startProducer,
} from './consumer-test-kit';

describe('PushConsumer across a broker restart', () => {
  let cluster: ClientTestCluster;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    producer = await startProducer(cluster, 'br-pg');
  });

  afterEach(() => clients.closeAll());

  afterAll(async () => {
    await producer.shutdown();
    await cluster.stop();
  });

  it('keeps consuming after the broker restarts, from the offsets committed before', async () => {
    const topic = 'BrokerRestart';
    await createTopic(cluster, topic, 2);
    const seen = new Map<string, number>();
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, 'br-cg')));
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) seen.set(message.offsetMsgId, (seen.get(message.offsetMsgId) ?? 0) + 1);
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();

    const before = await sendMany(producer, topic, 200);
    await waitFor(() => before.every((id) => seen.has(id)), { timeoutMs: 10_000, description: 'first 200' });
    // Let a periodic persist carry the final offsets to the broker before it goes down.
    await waitFor(
      async () => {
        const broker = cluster.brokers.get('broker-a')!;
        const committed = [0, 1].map((queueId) => broker.context.offsets.query('br-cg', topic, queueId));
        return committed.reduce((sum: number, offset) => sum + Math.max(0, offset ?? 0), 0) === 200;
      },
      { timeoutMs: 5000, description: 'offsets committed on the broker' },
    );

    await cluster.stopBroker('broker-a');
    await cluster.startBroker('broker-a');

    const after = await sendWithRetry(() => sendMany(producer, topic, 200));
    await waitFor(() => after.every((id) => seen.has(id)), {
      timeoutMs: 20_000,
      description: '200 sent after the restart consumed',
    });
    // Committed offsets were kept: nothing from before the restart came again.
    expect(before.filter((id) => (seen.get(id) ?? 0) > 1)).toEqual([]);
  }, 40_000);
});

/** The producer needs a route refresh to find the restarted broker's new port. */
async function sendWithRetry<T>(send: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return await send();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw lastError;
}
