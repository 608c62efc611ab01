// The push consumer in BROADCASTING mode: every member of the group reads every message, and each
// keeps its own progress in a local file that a restart with the same client id resumes from.

import { join } from 'node:path';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { Producer } from '../../../src/client/producer/producer';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import {
  ClientsToClose,
  createTopic,
  fastConsumerOptions,
  nextInstanceName,
  sendMany,
  startProducer,
} from './consumer-test-kit';

describe('PushConsumer, BROADCASTING', () => {
  let cluster: ClientTestCluster;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a', 'broker-b']);
    producer = await startProducer(cluster, 'bc-pg');
  });

  afterEach(() => clients.closeAll());

  afterAll(async () => {
    await producer.shutdown();
    await cluster.stop();
  });

  function member(topic: string, instanceName: string, seen: Set<string>): PushConsumer {
    const consumer = clients.track(
      new PushConsumer({
        ...fastConsumerOptions(cluster, 'bc-cg'),
        instanceName,
        messageModel: 'BROADCASTING',
        localOffsetStoreDir: join(cluster.dir, 'consumer-offsets'),
      }),
    );
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) seen.add(message.offsetMsgId);
      return 'CONSUME_SUCCESS';
    });
    return consumer;
  }

  it('delivers every message to every member, and a restart resumes from its local offsets', async () => {
    const topic = 'Broadcast';
    await createTopic(cluster, topic, 2);
    const firstName = nextInstanceName('bc-first');
    const seenByFirst = new Set<string>();
    const seenBySecond = new Set<string>();
    const first = member(topic, firstName, seenByFirst);
    const second = member(topic, nextInstanceName('bc-second'), seenBySecond);
    await first.start();
    await second.start();
    expect(first.assignedQueues).toHaveLength(4);
    expect(second.assignedQueues).toHaveLength(4);

    const ids = await sendMany(producer, topic, 200);
    await waitFor(() => ids.every((id) => seenByFirst.has(id) && seenBySecond.has(id)), {
      timeoutMs: 10_000,
      description: 'both members saw every message',
    });
    await first.shutdown();

    const laterIds = await sendMany(producer, topic, 50);
    const seenAfterRestart = new Set<string>();
    const restarted = member(topic, firstName, seenAfterRestart);
    await restarted.start();
    await waitFor(() => laterIds.every((id) => seenAfterRestart.has(id)), {
      timeoutMs: 10_000,
      description: 'the restarted member saw the later messages',
    });
    expect(ids.filter((id) => seenAfterRestart.has(id))).toEqual([]);
    await waitFor(() => laterIds.every((id) => seenBySecond.has(id)), {
      timeoutMs: 10_000,
      description: 'the other member saw the later messages',
    });
  }, 30_000);
});
