// The name server's admin requests over a real socket: cluster info, the topic list,
// UNREGISTER_BROKER, DELETE_TOPIC_IN_NAMESRV, wiping and restoring write permission, and the KV
// config (which survives a restart on the same disk).

import type { NameServer } from '../../src/namesrv/name-server';
import { decodeClusterInfo } from '../../src/protocol/bodies/cluster-info';
import { decodeKVTable, decodeTopicList } from '../../src/protocol/bodies/simple-bodies';
import {
  AddWritePermOfBrokerResponseHeader,
  GetKVConfigResponseHeader,
  WipeWritePermOfBrokerResponseHeader,
} from '../../src/protocol/headers/namesrv-headers';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { MemoryDisk } from '../../src/store/disk/memory-disk';
import type { RemotingClient } from '../../src/transport/remoting-client';
import {
  call,
  fetchRoute,
  masterBroker,
  newClient,
  registerBroker,
  slaveOf,
  startNameServer,
  topic,
} from './namesrv-fixtures';

/** PermName bits. */
const PERM_READ = 4;
const PERM_WRITE = 2;

describe('name server: admin requests', () => {
  let nameServer: NameServer;
  let client: RemotingClient;
  let address: string;
  const master = masterBroker({ topics: [topic('TopicTest'), topic('Orders')] });
  const slave = slaveOf(master);
  const brokerB = masterBroker({
    clusterName: 'OtherCluster',
    brokerName: 'broker-b',
    brokerAddr: '10.0.0.7:10911',
    haServerAddr: '10.0.0.7:10912',
    topics: [topic('TopicTest'), topic('OnlyOnB')],
  });

  beforeEach(async () => {
    nameServer = await startNameServer();
    client = newClient();
    address = nameServer.address;
  });

  afterEach(async () => {
    await client.close();
    await nameServer.close();
  });

  async function registerAll(): Promise<void> {
    for (const broker of [master, slave, brokerB]) {
      expect((await registerBroker(client, address, broker)).code).toBe(ResponseCode.SUCCESS);
    }
  }

  it('GET_BROKER_CLUSTER_INFO lists every broker group by cluster', async () => {
    await registerAll();
    const response = await call(client, address, RequestCode.GET_BROKER_CLUSTER_INFO);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const info = decodeClusterInfo(response.body);
    expect(info.clusterAddrTable).toEqual(
      new Map([
        ['DefaultCluster', ['broker-a']],
        ['OtherCluster', ['broker-b']],
      ]),
    );
    expect(info.brokerAddrTable.get('broker-a')).toEqual({
      cluster: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerAddrs: new Map([
        [0, '10.0.0.5:10911'],
        [1, '10.0.0.6:10911'],
      ]),
    });
    expect(info.brokerAddrTable.get('broker-b')?.brokerAddrs).toEqual(new Map([[0, '10.0.0.7:10911']]));
  });

  it('GET_ALL_TOPIC_LIST_FROM_NAMESERVER lists every routed topic once', async () => {
    await registerAll();
    const response = await call(client, address, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect([...decodeTopicList(response.body).topicList].sort()).toEqual(['OnlyOnB', 'Orders', 'TopicTest']);
  });

  it('UNREGISTER_BROKER removes one address, then the whole group with its queues', async () => {
    await registerAll();
    const unregister = (broker: typeof master) =>
      call(client, address, RequestCode.UNREGISTER_BROKER, {
        brokerName: broker.brokerName,
        brokerAddr: broker.brokerAddr,
        clusterName: broker.clusterName,
        brokerId: String(broker.brokerId),
      });

    expect((await unregister(slave)).code).toBe(ResponseCode.SUCCESS);
    const afterSlave = await fetchRoute(client, address, 'Orders');
    expect(afterSlave?.brokerDatas[0]?.brokerAddrs).toEqual(new Map([[0, '10.0.0.5:10911']]));

    expect((await unregister(master)).code).toBe(ResponseCode.SUCCESS);
    expect(await fetchRoute(client, address, 'Orders')).toBeUndefined();
    const shared = await fetchRoute(client, address, 'TopicTest');
    expect(shared?.queueDatas.map((queue) => queue.brokerName)).toEqual(['broker-b']);
    const info = decodeClusterInfo((await call(client, address, RequestCode.GET_BROKER_CLUSTER_INFO)).body);
    expect([...info.brokerAddrTable.keys()]).toEqual(['broker-b']);
    expect([...info.clusterAddrTable.keys()]).toEqual(['OtherCluster']);
  });

  it('DELETE_TOPIC_IN_NAMESRV forgets a route until the master registers a new data version', async () => {
    await registerAll();
    const response = await call(client, address, RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'Orders' });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(await fetchRoute(client, address, 'Orders')).toBeUndefined();
    const list = decodeTopicList(
      (await call(client, address, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).body,
    );
    expect(list.topicList).not.toContain('Orders');

    // An unchanged data version is only a heartbeat (RocketMQ rebuilds queue data on change only).
    await registerBroker(client, address, master);
    expect(await fetchRoute(client, address, 'Orders')).toBeUndefined();
    await registerBroker(client, address, {
      ...master,
      dataVersion: { timestamp: 1_700_000_001_000, counter: 2 },
    });
    expect(await fetchRoute(client, address, 'Orders')).toBeDefined();
  });

  it('WIPE_WRITE_PERM_OF_BROKER / ADD_WRITE_PERM_OF_BROKER count topics and flip the write bit', async () => {
    await registerAll();
    const permOf = async (topicName: string, brokerName: string) =>
      (await fetchRoute(client, address, topicName))?.queueDatas.find((q) => q.brokerName === brokerName)
        ?.perm;

    const wipe = await call(client, address, RequestCode.WIPE_WRITE_PERM_OF_BROKER, {
      brokerName: 'broker-a',
    });
    expect(wipe.code).toBe(ResponseCode.SUCCESS);
    expect(WipeWritePermOfBrokerResponseHeader.decode(wipe.extFields).wipeTopicCount).toBe(2);
    expect(await permOf('TopicTest', 'broker-a')).toBe(PERM_READ);
    expect(await permOf('Orders', 'broker-a')).toBe(PERM_READ);
    // Only the named broker group loses write permission.
    expect(await permOf('TopicTest', 'broker-b')).toBe(PERM_READ | PERM_WRITE);

    const add = await call(client, address, RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(add.code).toBe(ResponseCode.SUCCESS);
    expect(AddWritePermOfBrokerResponseHeader.decode(add.extFields).addTopicCount).toBe(2);
    expect(await permOf('TopicTest', 'broker-a')).toBe(PERM_READ | PERM_WRITE);
    expect(await permOf('Orders', 'broker-a')).toBe(PERM_READ | PERM_WRITE);

    const unknown = await call(client, address, RequestCode.WIPE_WRITE_PERM_OF_BROKER, {
      brokerName: 'nobody',
    });
    expect(WipeWritePermOfBrokerResponseHeader.decode(unknown.extFields).wipeTopicCount).toBe(0);
  });
});

describe('name server: KV config', () => {
  let client: RemotingClient;
  const servers: NameServer[] = [];

  beforeEach(() => {
    client = newClient();
  });

  afterEach(async () => {
    await client.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(disk: MemoryDisk): Promise<string> {
    const server = await startNameServer({ disk });
    servers.push(server);
    return server.address;
  }

  const getKv = (address: string, namespace: string, key: string) =>
    call(client, address, RequestCode.GET_KV_CONFIG, { namespace, key });

  it('PUT, GET and DELETE a value; QUERY_NOT_FOUND names the namespace and key', async () => {
    const address = await start(new MemoryDisk());
    const missing = await getKv(address, 'NS', 'k1');
    expect(missing.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(missing.remark).toBe('No config item, Namespace: NS Key: k1');

    const put = await call(client, address, RequestCode.PUT_KV_CONFIG, {
      namespace: 'NS',
      key: 'k1',
      value: 'v1',
    });
    expect(put.code).toBe(ResponseCode.SUCCESS);
    const found = await getKv(address, 'NS', 'k1');
    expect(found.code).toBe(ResponseCode.SUCCESS);
    expect(GetKVConfigResponseHeader.decode(found.extFields).value).toBe('v1');

    const del = await call(client, address, RequestCode.DELETE_KV_CONFIG, { namespace: 'NS', key: 'k1' });
    expect(del.code).toBe(ResponseCode.SUCCESS);
    expect((await getKv(address, 'NS', 'k1')).code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });

  it('GET_KVLIST_BY_NAMESPACE returns the namespace as a KVTable, QUERY_NOT_FOUND when empty', async () => {
    const address = await start(new MemoryDisk());
    await call(client, address, RequestCode.PUT_KV_CONFIG, { namespace: 'NS', key: 'a', value: '1' });
    await call(client, address, RequestCode.PUT_KV_CONFIG, { namespace: 'NS', key: 'b', value: '2' });
    await call(client, address, RequestCode.PUT_KV_CONFIG, { namespace: 'Other', key: 'c', value: '3' });
    const listed = await call(client, address, RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NS' });
    expect(listed.code).toBe(ResponseCode.SUCCESS);
    expect(decodeKVTable(listed.body).table).toEqual(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );

    const none = await call(client, address, RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'Empty' });
    expect(none.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(none.remark).toBe('No config item, Namespace: Empty');
  });

  it('keeps the KV config across a restart on the same disk', async () => {
    const disk = new MemoryDisk();
    const first = await start(disk);
    await call(client, first, RequestCode.PUT_KV_CONFIG, { namespace: 'NS', key: 'k', value: 'kept' });
    await servers.pop()?.close();

    const second = await start(disk);
    const found = await getKv(second, 'NS', 'k');
    expect(GetKVConfigResponseHeader.decode(found.extFields).value).toBe('kept');
  });
});
