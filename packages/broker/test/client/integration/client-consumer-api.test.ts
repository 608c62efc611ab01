// ClientConsumerApi against a real in-process broker: each method's request and how its answer
// (including the "not an error" pull codes) is read.

import { ClientConsumerApi } from '../../../src/client/consumer/client-consumer-api';
import { ClientInstance } from '../../../src/client/client-instance';
import { resolveClientOptions } from '../../../src/client/client-options';
import type { Producer } from '../../../src/client/producer/producer';
import { systemClock } from '../../../src/common/clock';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';
import { createTopic, nextInstanceName, sendMany, startProducer } from './consumer-test-kit';

describe('ClientConsumerApi', () => {
  let cluster: ClientTestCluster;
  let producer: Producer;
  let instance: ClientInstance;
  let api: ClientConsumerApi;
  const topic = 'ApiTopic';
  const queue = { topic, brokerName: 'broker-a', queueId: 0 };

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a']);
    producer = await startProducer(cluster, 'api-pg');
    await createTopic(cluster, topic, 1);
    await sendMany(producer, topic, 5);
    instance = new ClientInstance(
      resolveClientOptions({
        nameServer: cluster.nameServer.address,
        instanceName: nextInstanceName('api'),
        clock: systemClock,
      }),
    );
    api = new ClientConsumerApi(instance, 'api-cg');
  });

  afterAll(async () => {
    await instance.shutdown();
    await producer.shutdown();
    await cluster.stop();
  });

  it("lists the topic's read queues from its route", async () => {
    expect(await api.queuesOf(topic)).toEqual([queue]);
  });

  it('pulls FOUND messages, restoring nothing for first deliveries and naming their broker', async () => {
    const result = await api.pull(queue, {
      offset: 1,
      maxNums: 32,
      subscriptionExpression: '*',
      suspendMs: 1000,
      timeoutMs: 3000,
    });
    expect(result.status).toBe('FOUND');
    expect(result.nextBeginOffset).toBe(5);
    expect(result.messages.map((m) => [m.queueOffset, m.topic, m.brokerName])).toEqual([
      [1, topic, 'broker-a'],
      [2, topic, 'broker-a'],
      [3, topic, 'broker-a'],
      [4, topic, 'broker-a'],
    ]);
  });

  it('reads PULL_NOT_FOUND after the hold as NO_NEW_MSG, and PULL_OFFSET_MOVED as OFFSET_ILLEGAL', async () => {
    const held = await api.pull(queue, {
      offset: 5,
      maxNums: 32,
      subscriptionExpression: '*',
      suspendMs: 50,
      timeoutMs: 3000,
    });
    expect(held).toMatchObject({ status: 'NO_NEW_MSG', nextBeginOffset: 5, messages: [] });
    const beyond = await api.pull(queue, {
      offset: 900,
      maxNums: 32,
      subscriptionExpression: '*',
      suspendMs: 50,
      timeoutMs: 3000,
    });
    // RocketMQ's correction for an offset past the end of a queue that still starts at 0: back to 0.
    expect(beyond).toMatchObject({ status: 'OFFSET_ILLEGAL', nextBeginOffset: 0 });
  });

  it('stores a pull commitOffset and reads offsets back; max offset and search work', async () => {
    await api.pull(queue, {
      offset: 0,
      maxNums: 1,
      subscriptionExpression: '*',
      commitOffset: 3,
      suspendMs: 50,
      timeoutMs: 3000,
    });
    expect(await api.queryConsumerOffset(queue)).toBe(3);
    await api.updateConsumerOffset(queue, 4, { oneway: false });
    expect(await api.queryConsumerOffset(queue)).toBe(4);
    expect(await api.maxOffset(queue)).toBe(5);
    expect(await api.searchOffset(queue, 0)).toBe(0);
  });

  it('locks and unlocks queues for this client', async () => {
    expect(await api.lockBatch('broker-a', [queue])).toEqual([queue]);
    const otherInstance = new ClientInstance(
      resolveClientOptions({
        nameServer: cluster.nameServer.address,
        instanceName: nextInstanceName('api-other'),
        clock: systemClock,
      }),
    );
    try {
      const other = new ClientConsumerApi(otherInstance, 'api-cg');
      await other.queuesOf(topic);
      expect(await other.lockBatch('broker-a', [queue])).toEqual([]);
      await api.unlockBatch('broker-a', [queue]);
      expect(await other.lockBatch('broker-a', [queue])).toEqual([queue]);
      await other.unlockBatch('broker-a', [queue]);
    } finally {
      await otherInstance.shutdown();
    }
  });
});
