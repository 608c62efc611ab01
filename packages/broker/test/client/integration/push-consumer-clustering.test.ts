// The push consumer in CLUSTERING mode against two in-process brokers: no message is lost while
// members join and leave, and a restarted member resumes from the group's committed offsets.

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

describe('PushConsumer, CLUSTERING', () => {
  let cluster: ClientTestCluster;
  let producers: Producer[];
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a', 'broker-b']);
    producers = [await startProducer(cluster, 'cl-pg-1'), await startProducer(cluster, 'cl-pg-2')];
  });

  afterEach(() => clients.closeAll());

  afterAll(async () => {
    for (const producer of producers) await producer.shutdown();
    await cluster.stop();
  });

  function collectingConsumer(group: string, topic: string, seen: Map<string, number>): PushConsumer {
    const consumer = new PushConsumer({
      ...fastConsumerOptions(cluster, group),
      consumeMessageBatchMaxSize: 4,
    });
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      for (const message of messages) seen.set(message.offsetMsgId, (seen.get(message.offsetMsgId) ?? 0) + 1);
      return 'CONSUME_SUCCESS';
    });
    return consumer;
  }

  it('consumes every message of two producers while consumers join and leave', async () => {
    const topic = 'ClusterJoinLeave';
    await createTopic(cluster, topic, 4);
    const seen = new Map<string, number>();
    const first = collectingConsumer('cl-join-leave', topic, seen);
    await first.start();

    const sending = Promise.all(
      producers.map((producer, index) =>
        sendMany(producer, topic, 2000, { parallel: 20, prefix: `p${index}` }),
      ),
    );
    await waitFor(() => seen.size >= 500, { timeoutMs: 10_000, description: '500 consumed' });
    const second = collectingConsumer('cl-join-leave', topic, seen);
    await second.start();
    await waitFor(() => seen.size >= 1500, { timeoutMs: 10_000, description: '1500 consumed' });
    const third = collectingConsumer('cl-join-leave', topic, seen);
    await third.start();
    await waitFor(() => seen.size >= 2500, { timeoutMs: 10_000, description: '2500 consumed' });
    await first.shutdown();

    const sent = (await sending).flat();
    expect(new Set(sent).size).toBe(4000);
    await waitFor(() => sent.every((id) => seen.has(id)), {
      timeoutMs: 15_000,
      description: 'every sent message consumed',
    });
    // The remaining members share all eight queues between them.
    await Promise.all([second.rebalanceNow(), third.rebalanceNow()]);
    const owned = [...second.assignedQueues, ...third.assignedQueues].filter((q) => q.topic === topic);
    expect(owned).toHaveLength(8);
    await second.shutdown();
    await third.shutdown();
  }, 40_000);

  it('resumes from the committed offsets after a restart, without consuming old messages again', async () => {
    const topic = 'ClusterRestart';
    await createTopic(cluster, topic, 2);
    const before = new Map<string, number>();
    const consumer = collectingConsumer('cl-restart', topic, before);
    await consumer.start();
    const oldIds = await sendMany(producers[0]!, topic, 300);
    await waitFor(() => oldIds.every((id) => before.has(id)), {
      timeoutMs: 10_000,
      description: 'old consumed',
    });
    await consumer.shutdown();

    const newIds = await sendMany(producers[1]!, topic, 200);
    const after = new Map<string, number>();
    const restarted = collectingConsumer('cl-restart', topic, after);
    await restarted.start();
    await waitFor(() => newIds.every((id) => after.has(id)), {
      timeoutMs: 10_000,
      description: 'new consumed',
    });
    // A graceful shutdown drained and committed everything it had pulled.
    expect(oldIds.filter((id) => after.has(id))).toEqual([]);
    await restarted.shutdown();
  }, 30_000);

  it('delivers only the subscribed tags', async () => {
    const topic = 'ClusterTags';
    await createTopic(cluster, topic, 2);
    const tags: string[] = [];
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, 'cl-tags')));
    consumer.subscribe(topic, 'TagA || TagB');
    consumer.onMessages((messages) => {
      for (const message of messages) tags.push(message.tags ?? '(none)');
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();
    for (let i = 0; i < 30; i++) {
      await producers[0]!.send({ topic, body: `t${i}`, tags: ['TagA', 'TagB', 'TagC'][i % 3]! });
    }
    await waitFor(() => tags.length >= 20, { timeoutMs: 10_000, description: '20 TagA/TagB messages' });
    expect(tags.filter((tag) => tag === 'TagC')).toEqual([]);
    expect(tags.filter((tag) => tag === 'TagA')).toHaveLength(10);
  }, 20_000);

  it('consumes a failed message again locally when the broker cannot take it back', async () => {
    // A read-only retry topic makes the broker refuse CONSUMER_SEND_MSG_BACK (NO_PERMISSION), so this
    // is the fallback path: the message stays with the consumer and comes again after 5 s.
    const topic = 'ClusterReconsume';
    await createTopic(cluster, topic, 1);
    for (const broker of cluster.brokers.values()) {
      await broker.context.topics.createOrUpdate({
        topicName: '%RETRY%cl-reconsume',
        readQueueNums: 1,
        writeQueueNums: 1,
        perm: 4,
      });
    }
    const attempts = new Map<string, number>();
    const consumer = clients.track(new PushConsumer(fastConsumerOptions(cluster, 'cl-reconsume')));
    consumer.subscribe(topic, '*');
    consumer.onMessages((messages) => {
      const id = messages[0]!.offsetMsgId;
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return attempts.get(id) === 1 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS';
    });
    await consumer.start();
    const [id] = await sendMany(producers[0]!, topic, 1);
    await waitFor(() => attempts.get(id!) === 2, { timeoutMs: 10_000, description: 'second attempt' });
    expect(attempts.get(id!)).toBe(2);
  }, 20_000);
});
