// The lite pull consumer against an in-process broker: poll() returns what was sent, commitSync()
// stores positions on the broker, seek() moves a queue, assign() reads chosen queues only.

import { LitePullConsumer } from '../../../src/client/consumer/lite-pull-consumer';
import type { LitePullConsumerOptions } from '../../../src/client/consumer/lite-pull-consumer-options';
import type { ConsumedMessage } from '../../../src/client/consumer/consumed-message';
import type { Producer } from '../../../src/client/producer/producer';
import { systemClock } from '../../../src/common/clock';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import { ClientsToClose, createTopic, nextInstanceName, sendMany, startProducer } from './consumer-test-kit';

describe('LitePullConsumer', () => {
  let cluster: ClientTestCluster;
  let producer: Producer;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    producer = await startProducer(cluster, 'lite-pg');
  });

  afterEach(() => clients.closeAll());

  afterAll(async () => {
    await producer.shutdown();
    await cluster.stop();
  });

  function liteConsumer(group: string, overrides: Partial<LitePullConsumerOptions> = {}): LitePullConsumer {
    return clients.track(
      new LitePullConsumer({
        group,
        nameServer: cluster.nameServer.address,
        instanceName: nextInstanceName(group),
        consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
        autoCommit: false,
        rebalanceIntervalMs: 500,
        brokerSuspendMaxMs: 1000,
        pullTimeoutMs: 3000,
        pollNameServerIntervalMs: 300,
        heartbeatBrokerIntervalMs: 300,
        clock: systemClock,
        ...overrides,
      }),
    );
  }

  async function pollUntil(
    consumer: LitePullConsumer,
    done: (all: ConsumedMessage[]) => boolean,
  ): Promise<ConsumedMessage[]> {
    const all: ConsumedMessage[] = [];
    for (let round = 0; round < 200 && !done(all); round++) all.push(...(await consumer.poll(200)));
    return all;
  }

  it('polls every message of a subscribed topic and resumes after commitSync', async () => {
    const topic = 'LiteSubscribe';
    await createTopic(cluster, topic, 2);
    const ids = await sendMany(producer, topic, 100);
    const consumer = liteConsumer('lite-sub');
    consumer.subscribe(topic, '*');
    await consumer.start();
    const polled = await pollUntil(consumer, (all) => all.length >= 100);
    expect(new Set(polled.map((m) => m.offsetMsgId))).toEqual(new Set(ids));
    await consumer.commitSync();
    const committed = await Promise.all(consumer.assignment().map((queue) => consumer.committed(queue)));
    expect(committed.reduce((sum: number, offset) => sum + (offset ?? 0), 0)).toBe(100);
    await consumer.shutdown();

    const later = await sendMany(producer, topic, 20);
    const again = liteConsumer('lite-sub');
    again.subscribe(topic, '*');
    await again.start();
    const resumed = await pollUntil(again, (all) => all.length >= 20);
    expect(new Set(resumed.map((m) => m.offsetMsgId))).toEqual(new Set(later));
  }, 20_000);

  it('reads only assigned queues, and seek() reads a queue again from an offset', async () => {
    const topic = 'LiteAssign';
    await createTopic(cluster, topic, 2);
    await sendMany(producer, topic, 40);
    const queue = { topic, brokerName: 'broker-a', queueId: 1 };
    const consumer = liteConsumer('lite-assign');
    await consumer.assign([queue]);
    await consumer.start();
    const polled = await pollUntil(consumer, (all) => all.length >= 20);
    expect(polled).toHaveLength(20);
    expect(polled.every((m) => m.queueId === 1)).toBe(true);
    expect(polled.map((m) => m.queueOffset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await consumer.poll(100)).toEqual([]);

    await consumer.seek(queue, 15);
    const replayed = await pollUntil(consumer, (all) => all.length >= 5);
    expect(replayed.map((m) => m.queueOffset)).toEqual([15, 16, 17, 18, 19]);
    await consumer.commitSync();
    expect(await consumer.committed(queue)).toBe(20);
  }, 20_000);
});
