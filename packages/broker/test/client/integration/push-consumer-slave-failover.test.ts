// A push consumer of a master/slave group: when the master is gone it consumes from the slave
// (with slaveReadEnable off: a slave serves while its master is unreachable), commits its offsets
// there, and when the master is back the master takes those offsets over and consumption goes on
// from the master, with nothing consumed twice.

import { systemClock } from '../../../src/common/clock';
import { PushConsumer } from '../../../src/client/consumer/push-consumer';
import type { PushConsumerOptions } from '../../../src/client/consumer/push-consumer-options';
import { Producer } from '../../../src/client/producer/producer';
import { waitFor } from '../../../src/testing/await-event';
import { startHaCluster, type HaTestCluster } from '../../server/ha/ha-cluster-fixture';
import { ClientsToClose, nextInstanceName } from './consumer-test-kit';

const TOPIC = 'SlaveFailover';
const GROUP = 'failover-cg';
const QUEUES = [0, 1];

describe('PushConsumer on a master/slave group', () => {
  let cluster: HaTestCluster;
  const clients = new ClientsToClose();

  beforeAll(async () => {
    cluster = await startHaCluster({ master: { brokerRole: 'ASYNC_MASTER' } });
    await cluster.master!.context.topics.createOrUpdate({
      topicName: TOPIC,
      readQueueNums: 2,
      writeQueueNums: 2,
    });
    cluster.master!.context.topicsChanged();
  });

  afterAll(async () => {
    await clients.closeAll();
    await cluster?.stop();
  });

  function consumerOptions(): PushConsumerOptions {
    return {
      group: GROUP,
      nameServer: cluster.nameServer.address,
      instanceName: nextInstanceName(GROUP),
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      rebalanceIntervalMs: 500,
      persistConsumerOffsetIntervalMs: 200,
      brokerSuspendMaxMs: 1000,
      pullTimeoutMs: 3000,
      pullDelayOnErrorMs: 100,
      pollNameServerIntervalMs: 300,
      heartbeatBrokerIntervalMs: 300,
      clock: systemClock,
    };
  }

  async function sendMany(producer: Producer, count: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push((await producer.send({ topic: TOPIC, body: `${prefix}-${i}` })).offsetMsgId);
    return ids;
  }

  const committedOn = (broker: NonNullable<HaTestCluster['master']>) =>
    QUEUES.reduce(
      (sum, queueId) => sum + Math.max(0, broker.context.offsets.query(GROUP, TOPIC, queueId) ?? 0),
      0,
    );

  it('reads from the slave while the master is down and hands the offsets back', async () => {
    const producer = clients.track(
      new Producer({
        group: 'failover-pg',
        nameServer: cluster.nameServer.address,
        instanceName: nextInstanceName('pg'),
        clock: systemClock,
      }),
    );
    await producer.start();
    const seen = new Map<string, number>();
    const listen = (consumer: PushConsumer) => {
      consumer.subscribe(TOPIC, '*');
      consumer.onMessages((messages) => {
        for (const message of messages)
          seen.set(message.offsetMsgId, (seen.get(message.offsetMsgId) ?? 0) + 1);
        return 'CONSUME_SUCCESS';
      });
    };

    // 1. Master up: consume 40, offsets committed on the master; then a backlog of 60.
    const first = new PushConsumer(consumerOptions());
    listen(first);
    await first.start();
    const before = await sendMany(producer, 40, 'before');
    await waitFor(() => before.every((id) => seen.has(id)), { timeoutMs: 10_000, description: 'first 40' });
    await waitFor(() => committedOn(cluster.master!) === 40, {
      timeoutMs: 5000,
      description: '40 committed',
    });
    await first.shutdown();
    const backlog = await sendMany(producer, 60, 'backlog');
    const slave = cluster.slave!;
    await waitFor(
      () =>
        slave.context.store.commitLogOffsets().confirmed ===
        cluster.master!.context.store.commitLogOffsets().confirmed,
      { timeoutMs: 5000, description: 'the slave to have the backlog' },
    );
    await slave.context.replication.syncMetadata();
    expect(committedOn(slave)).toBe(40);

    // 2. Master down: a new consumer of the group reads the backlog from the slave.
    await cluster.stopMaster();
    const second = clients.track(new PushConsumer(consumerOptions()));
    listen(second);
    await second.start();
    await waitFor(() => backlog.every((id) => seen.has(id)), {
      timeoutMs: 15_000,
      description: 'backlog from the slave',
    });
    await waitFor(() => committedOn(slave) === 100, {
      timeoutMs: 5000,
      description: '100 committed on the slave',
    });
    await second.shutdown();

    // 3. Master back, with its offsets at 40: the slave hands its own over at the next sync, so a
    //    consumer started now goes on from 100 on the master, reading nothing twice.
    await cluster.startMaster();
    expect(committedOn(cluster.master!)).toBe(40);
    await waitFor(() => slave.context.replication.masterReachable, {
      timeoutMs: 10_000,
      description: 'HA link up',
    });
    await slave.context.replication.syncMetadata();
    expect(committedOn(cluster.master!)).toBe(100);
    const third = clients.track(new PushConsumer(consumerOptions()));
    listen(third);
    await third.start();
    const after = await waitFor(
      async () => {
        try {
          return await sendMany(producer, 20, 'after');
        } catch {
          return undefined; // the producer's route still lacks the master; retried
        }
      },
      { timeoutMs: 10_000, intervalMs: 200, description: 'sends to the returned master' },
    );
    await waitFor(() => after.every((id) => seen.has(id)), {
      timeoutMs: 15_000,
      description: '20 after the return',
    });
    expect([...seen.values()].filter((count) => count > 1)).toEqual([]);
  }, 60_000);
});
