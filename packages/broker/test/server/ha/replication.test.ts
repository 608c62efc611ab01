// Master/slave replication in one process, real sockets and disks: what a SYNC_MASTER answers, and
// that the slave holds the master's records byte for byte, consumable through its own queues.

import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { decodeKVTable } from '../../../src/protocol/bodies/simple-bodies';
import { decodeOffsetMessageId } from '../../../src/protocol/message/message-id';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { pull, send } from '../integration/broker-requests';
import { startHaCluster, type HaTestCluster } from './ha-cluster-fixture';

const TOPIC = 'HaTopic';

describe('replication: SYNC_MASTER and its slave', () => {
  let cluster: HaTestCluster;

  beforeAll(async () => {
    // Without slaveReadEnable a slave serves reads only while its master is unreachable.
    cluster = await startHaCluster({
      // Delay progress is recorded every flushDelayOffsetInterval: short, so the sync test sees it.
      master: { flushDelayOffsetInterval: 200 },
      slave: { slaveReadEnable: true },
      withSlave: false,
    });
    // A first message before the slave exists: it creates the topic, and the slave must copy the
    // log from its start.
    const first = await send(cluster.client, cluster.masterAddress, {
      topic: TOPIC,
      body: 'message 0',
      queueId: 1,
    });
    expect(first.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
    await cluster.startSlave();
    await waitForSlaveLink(cluster);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('acknowledges a send only once the slave has it, and the slave serves the same records', async () => {
    const master = cluster.master!.context.store;
    const slave = cluster.slave!.context.store;
    for (let i = 1; i < 20; i++) {
      const response = await send(cluster.client, cluster.masterAddress, {
        topic: TOPIC,
        body: `message ${i} ${'x'.repeat(i * 50)}`,
        queueId: 1,
      });
      expect([response.code, response.remark]).toEqual([ResponseCode.SUCCESS, undefined]);
      const { physicalOffset: offset } = decodeOffsetMessageId(
        SendMessageResponseHeader.decode(response.extFields).msgId,
      );
      const record = await master.readRecordBytes(offset);
      // Acknowledged: the slave's log already holds the whole record, safely (handed to its kernel).
      expect(slave.commitLogOffsets().confirmed).toBeGreaterThanOrEqual(offset + record!.length);
    }
    const request = { group: 'ha-reader', topic: TOPIC, queueId: 1, offset: 0 };
    const fromMaster = await pull(cluster.client, cluster.masterAddress, request);
    const fromSlave = await waitFor(
      async () => {
        const response = await pull(cluster.client, cluster.slaveAddress, request);
        return response.code === ResponseCode.SUCCESS ? response : undefined;
      },
      { timeoutMs: 5000, description: 'the slave to serve the topic' },
    );
    expect(fromMaster.code).toBe(ResponseCode.SUCCESS);
    // Byte-identical records: a slave's pull body equals the master's.
    expect(Buffer.compare(fromSlave.body, fromMaster.body)).toBe(0);
    expect(PullMessageResponseHeader.decode(fromSlave.extFields).nextBeginOffset).toBe(20);
  });

  it('copies topics, subscription groups, consumer and delay offsets from its master', async () => {
    const master = cluster.master!.context;
    const slave = cluster.slave!.context;
    await master.topics.createOrUpdate({ topicName: 'HaSynced', readQueueNums: 3, writeQueueNums: 3 });
    await master.groups.createOrUpdate({ groupName: 'ha-synced-group', retryMaxTimes: 7 });
    master.offsets.commit('ha-synced-group', TOPIC, 1, 12);
    const delayed = await send(cluster.client, cluster.masterAddress, {
      topic: TOPIC,
      body: 'delayed',
      properties: { DELAY: '1' },
    });
    expect(delayed.code).toBe(ResponseCode.SUCCESS);
    await waitFor(() => master.schedule.offsetTable().offsetTable['1'] === 1, {
      timeoutMs: 10_000,
      description: 'the delayed message delivered on the master',
    });

    await slave.replication.syncMetadata();
    expect(slave.topics.select('HaSynced')).toMatchObject({ readQueueNums: 3, writeQueueNums: 3 });
    expect(slave.topics.dataVersion).toEqual(master.topics.dataVersion);
    expect(slave.groups.find('ha-synced-group')?.retryMaxTimes).toBe(7);
    expect(slave.offsets.query('ha-synced-group', TOPIC, 1)).toBe(12);
    expect(slave.schedule.offsetTable()).toEqual(master.schedule.offsetTable());
  });

  it('serves the GET_ALL_* bodies in fastjson form, numeric keys bare, as a RocketMQ slave reads them', async () => {
    const offsets = await cluster.client.invoke(
      cluster.masterAddress,
      createRequest({ code: RequestCode.GET_ALL_CONSUMER_OFFSET, opaque: 0 }),
      3000,
    );
    expect(offsets.body.toString()).toContain(`"${TOPIC}@ha-synced-group":{1:12}`);
    const delay = await cluster.client.invoke(
      cluster.masterAddress,
      createRequest({ code: RequestCode.GET_ALL_DELAY_OFFSET, opaque: 0 }),
      3000,
    );
    expect(delay.body.toString()).toMatch(/^\{"offsetTable":\{1:1[,}]/);
  });

  it('refuses sends on the slave with a code and a remark naming the master', async () => {
    const response = await send(cluster.client, cluster.slaveAddress, { topic: TOPIC, body: 'no' });
    expect(response.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
    expect(response.remark).toMatch(/SLAVE; send to its master/);
  });

  it('reports roles and the slave lag in GET_BROKER_RUNTIME_INFO', async () => {
    const master = await runtimeInfo(cluster, cluster.masterAddress);
    expect(master.get('keelHaRole')).toBe('SYNC_MASTER');
    expect(master.get('keelHaSlaveCount')).toBe('1');
    const slave = await waitFor(
      async () => {
        const info = await runtimeInfo(cluster, cluster.slaveAddress);
        return info.get('keelHaReplicatedOffset') === master.get('commitLogMaxOffset') ? info : undefined;
      },
      { timeoutMs: 5000, description: 'the slave to report the master end' },
    );
    expect(slave.get('keelHaRole')).toBe('SLAVE');
    expect(slave.get('keelHaMasterConnected')).toBe('true');
  });

  it('answers SLAVE_NOT_AVAILABLE without a slave, and replicates again when it returns', async () => {
    await cluster.stopSlave();
    const response = await waitFor(
      async () => {
        const sent = await send(cluster.client, cluster.masterAddress, {
          topic: TOPIC,
          body: 'alone',
          queueId: 2,
        });
        return sent.code === ResponseCode.SLAVE_NOT_AVAILABLE ? sent : undefined;
      },
      { timeoutMs: 5000, description: 'SLAVE_NOT_AVAILABLE' },
    );
    // Stored on the master all the same: the answer carries the message id and offset.
    expect(SendMessageResponseHeader.decode(response.extFields).msgId).toMatch(/^[0-9A-F]{32}$/);
    await cluster.startSlave();
    await waitForSlaveLink(cluster);
    const after = await send(cluster.client, cluster.masterAddress, {
      topic: TOPIC,
      body: 'together',
      queueId: 2,
    });
    expect(after.code).toBe(ResponseCode.SUCCESS);
  });
});

async function runtimeInfo(cluster: HaTestCluster, address: string): Promise<ReadonlyMap<string, string>> {
  const response = await cluster.client.invoke(
    address,
    createRequest({ code: RequestCode.GET_BROKER_RUNTIME_INFO, opaque: 0 }),
    3000,
  );
  return decodeKVTable(response.body).table;
}

async function waitForSlaveLink(cluster: HaTestCluster): Promise<void> {
  await waitFor(
    async () => (await runtimeInfo(cluster, cluster.masterAddress)).get('keelHaSlaveCount') === '1',
    {
      timeoutMs: 10_000,
      description: 'the slave to connect',
    },
  );
}
