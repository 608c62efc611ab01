import { AdminClient } from '../../../src/client/admin/admin-client';
import { AdminError, AdminErrorCodes } from '../../../src/client/admin/admin-errors';
import type { Progress } from '../../../src/client/admin/progress';
import { acquireClientInstance, releaseClientInstance } from '../../../src/client/client-instance-registry';
import { resolveClientOptions } from '../../../src/client/client-options';
import { waitFor } from '../../../src/testing/await-event';
import { startClientCluster, type ClientTestCluster } from '../client-cluster-fixture';

const TOPIC = 'AdminTopic';

describe('AdminClient against a name server and two brokers', () => {
  let cluster: ClientTestCluster;
  let admin: AdminClient;

  beforeAll(async () => {
    cluster = await startClientCluster(['broker-a', 'broker-b']);
    admin = new AdminClient({ nameServer: cluster.nameServer.address, clientIP: '127.0.0.1' });
  });

  afterAll(async () => {
    await admin.close();
    await cluster.stop();
  });

  function routeBrokers(topic: string): Promise<string[] | undefined> {
    return admin.topicRoute(topic).then(
      (route) => route.queueDatas.map((queue) => queue.brokerName).sort(),
      (error: unknown) => {
        if (error instanceof AdminError && error.code === AdminErrorCodes.TOPIC_NOT_FOUND) return undefined;
        throw error;
      },
    );
  }

  it('lists every broker of the cluster with its runtime figures', async () => {
    const members = await admin.clusterList();
    expect(members.map((m) => [m.cluster, m.brokerName, m.brokerId])).toEqual([
      ['DefaultCluster', 'broker-a', 0],
      ['DefaultCluster', 'broker-b', 0],
    ]);
    expect(members[0]?.runtime.get('brokerVersionDesc')).toBe('V4_9_8');
    const status = await admin.brokerStatus('broker-b');
    expect(status.address).toBe(members[1]?.address);
    expect(status.runtime.has('commitLogMaxOffset')).toBe(true);
    await expect(admin.brokerStatus('broker-z')).rejects.toMatchObject({
      code: AdminErrorCodes.BROKER_NOT_FOUND,
    });
  });

  it('says which name server did not know a topic', async () => {
    await expect(admin.topicRoute('NoSuchTopic')).rejects.toThrow(
      `no route for topic NoSuchTopic on ${cluster.nameServer.address}`,
    );
  });

  it('refuses to create a topic without a cluster or a broker', async () => {
    await expect(admin.createOrUpdateTopic({ topic: TOPIC })).rejects.toMatchObject({
      code: AdminErrorCodes.INVALID_ARGUMENT,
    });
    await expect(admin.createOrUpdateTopic({ topic: TOPIC, cluster: 'Other' })).rejects.toMatchObject({
      code: AdminErrorCodes.CLUSTER_NOT_FOUND,
    });
  });

  it('creates a topic on every master, sends, finds, reads, resets and deletes', async () => {
    const created = await admin.createOrUpdateTopic({
      topic: TOPIC,
      cluster: 'DefaultCluster',
      readQueueNums: 2,
      writeQueueNums: 2,
    });
    expect(created.map((b) => b.brokerName)).toEqual(['broker-a', 'broker-b']);
    await waitFor(async () => (await routeBrokers(TOPIC))?.length === 2, {
      timeoutMs: 5000,
      description: 'route',
    });
    expect(await admin.topicList()).toContain(TOPIC);

    const sent = [];
    for (let i = 0; i < 6; i++)
      sent.push(
        await admin.sendMessage({ topic: TOPIC, body: `body-${i}`, keys: `order-${i % 2}`, tags: 'TagA' }),
      );

    const status = await admin.topicStatus(TOPIC);
    expect(status.map((q) => `${q.brokerName}/${q.queueId}`)).toEqual([
      'broker-a/0',
      'broker-a/1',
      'broker-b/0',
      'broker-b/1',
    ]);
    expect(status.reduce((sum, q) => sum + q.maxOffset, 0)).toBe(6);

    const byKey = await admin.queryMsgByKey({ topic: TOPIC, key: 'order-1' });
    expect(byKey.map((m) => m.body.toString()).sort()).toEqual(['body-1', 'body-3', 'body-5']);
    expect(byKey[0]!.storeTimestamp).toBeGreaterThanOrEqual(byKey[2]!.storeTimestamp);

    const first = sent[0]!;
    const byOffsetId = await admin.queryMsgById(first.offsetMsgId);
    expect(byOffsetId.map((m) => m.body.toString())).toEqual(['body-0']);
    const byUniqueKey = await admin.queryMsgById(first.msgId, TOPIC);
    expect(byUniqueKey.map((m) => m.offsetMsgId)).toEqual([first.offsetMsgId]);
    await expect(admin.queryMsgById(first.msgId)).rejects.toMatchObject({
      code: AdminErrorCodes.INVALID_ARGUMENT,
    });

    const atOffset = await admin.queryMsgByOffset({
      topic: TOPIC,
      brokerName: first.messageQueue.brokerName,
      queueId: first.messageQueue.queueId,
      offset: first.queueOffset,
    });
    expect(atOffset.status).toBe('FOUND');
    expect(atOffset.message?.body.toString()).toBe('body-0');
    const beyond = await admin.queryMsgByOffset({
      topic: TOPIC,
      brokerName: first.messageQueue.brokerName,
      queueId: first.messageQueue.queueId,
      offset: 1000,
    });
    expect(beyond.message).toBeUndefined();

    const progress: Progress[] = [];
    const consumed = await admin.consumeMessage({ topic: TOPIC, count: 4 }, (p) => progress.push(p));
    expect(consumed).toHaveLength(4);
    expect(progress.at(-1)).toEqual({ done: 4, total: 4, unit: 'messages' });
    expect(await admin.consumeMessage({ topic: TOPIC, count: 100 })).toHaveLength(6);

    const resets = await admin.resetOffsetByTime({ group: 'admin-group', topic: TOPIC, timestampMs: 0 });
    expect(resets).toHaveLength(4);
    // A group without offsets starts at 0 on young queues (QUERY_CONSUMER_OFFSET's rule), hence old 0.
    expect(resets.map((r) => [r.brokerName, r.queueId, r.oldOffset, r.newOffset])).toEqual([
      ['broker-a', 0, 0, 0],
      ['broker-a', 1, 0, 0],
      ['broker-b', 0, 0, 0],
      ['broker-b', 1, 0, 0],
    ]);
    const lagging = await admin.consumerProgress('admin-group', TOPIC);
    expect(lagging.totalLag).toBe(6);
    expect(lagging.queues.map((q) => q.lag).reduce((a, b) => a + b, 0)).toBe(6);

    const future = await admin.resetOffsetByTime({
      group: 'admin-group',
      topic: TOPIC,
      timestampMs: 4102444800000,
    });
    expect(future.map((r) => r.oldOffset)).toEqual([0, 0, 0, 0]);
    expect((await admin.consumerProgress('admin-group')).totalLag).toBe(0);
    // From the group's committed offsets (now the end): nothing left to read.
    expect(await admin.consumeMessage({ topic: TOPIC, count: 10, group: 'admin-group' })).toHaveLength(0);

    const deletion = await admin.deleteTopic(TOPIC, 'DefaultCluster');
    expect(deletion.brokers.map((b) => b.brokerName)).toEqual(['broker-a', 'broker-b']);
    await waitFor(async () => (await routeBrokers(TOPIC)) === undefined, {
      timeoutMs: 5000,
      description: 'gone',
    });
  });

  it('lists the client ids of a consumer group', async () => {
    await admin.createOrUpdateTopic({
      topic: 'ConnTopic',
      broker: 'broker-a',
      readQueueNums: 1,
      writeQueueNums: 1,
    });
    await waitFor(async () => (await routeBrokers('ConnTopic'))?.length === 1, { timeoutMs: 5000 });
    expect((await admin.consumerConnection('conn-group')).clientIds).toEqual([]);
    const instance = acquireClientInstance(
      resolveClientOptions({
        nameServer: cluster.nameServer.address,
        clientIP: '10.9.9.9',
        instanceName: 'conn',
      }),
    );
    try {
      instance.registerConsumer('conn-group', () => ({
        groupName: 'conn-group',
        consumeType: 'CONSUME_PASSIVELY',
        messageModel: 'CLUSTERING',
        consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        subscriptionDataSet: [],
        unitMode: false,
      }));
      await instance.topicRoute('ConnTopic');
      await instance.sendHeartbeatToAllBrokers();
      expect((await admin.consumerConnection('conn-group')).clientIds).toEqual(['10.9.9.9@conn']);
    } finally {
      await releaseClientInstance(instance);
    }
  });
});
