// REGISTER_BROKER and GET_ROUTEINFO_BY_TOPIC over a real socket: both body forms, the CRC check,
// slave registration, the two JSON spellings of a route, order-topic config, and how malformed or
// unknown requests are answered.

import type { NameServer } from '../../src/namesrv/name-server';
import { registerBrokerBodyCrc32 } from '../../src/protocol/bodies/register-broker-body';
import { decodeKVTable } from '../../src/protocol/bodies/simple-bodies';
import { decodeTopicRouteData } from '../../src/protocol/bodies/topic-route-data';
import { RegisterBrokerResponseHeader } from '../../src/protocol/headers/namesrv-headers';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import type { RemotingClient } from '../../src/transport/remoting-client';
import {
  call,
  fetchRoute,
  INVOKE_TIMEOUT_MS,
  masterBroker,
  newClient,
  registerBroker,
  registerBrokerRequest,
  slaveOf,
  startNameServer,
  topic,
} from './namesrv-fixtures';

/** MQVersion ordinals around 4.9.4's switch to standard JSON routes. */
const PRE_STANDARD_JSON_VERSION = 399;
const STANDARD_JSON_VERSION = 401;

describe('name server: broker registration and routes', () => {
  let nameServer: NameServer;
  let client: RemotingClient;
  let address: string;

  beforeEach(async () => {
    nameServer = await startNameServer();
    client = newClient();
    address = nameServer.address;
  });

  afterEach(async () => {
    await client.close();
    await nameServer.close();
  });

  it('routes the topics of a master registered with an uncompressed body', async () => {
    const broker = masterBroker({
      topics: [topic('TopicTest', { readQueueNums: 8, writeQueueNums: 6, perm: 6 }), topic('Other')],
    });
    const response = await registerBroker(client, address, broker);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    // A master gets no HA hints.
    expect(RegisterBrokerResponseHeader.decode(response.extFields)).toEqual({
      haServerAddr: undefined,
      masterAddr: undefined,
    });

    const route = await fetchRoute(client, address, 'TopicTest');
    expect(route?.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 8, writeQueueNums: 6, perm: 6, topicSysFlag: 0 },
    ]);
    expect(route?.brokerDatas).toEqual([
      { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: new Map([[0, '10.0.0.5:10911']]) },
    ]);
    expect(route?.orderTopicConf).toBeUndefined();
    expect(await fetchRoute(client, address, 'Other')).toBeDefined();
  });

  it('routes the topics of a master registered with a compressed body', async () => {
    const broker = masterBroker({
      topics: [topic('Zipped', { readQueueNums: 2, writeQueueNums: 3, perm: 4 })],
    });
    const response = await registerBroker(client, address, broker, { compressed: true });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const route = await fetchRoute(client, address, 'Zipped');
    expect(route?.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 2, writeQueueNums: 3, perm: 4, topicSysFlag: 0 },
    ]);
  });

  it('accepts a body whose crc is 0 (not computed) without checking it', async () => {
    const response = await registerBroker(client, address, masterBroker(), { crc32: 'none' });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(await fetchRoute(client, address, 'TopicTest')).toBeDefined();
  });

  it.each([false, true])(
    'refuses a registration whose bodyCrc32 does not match (compressed: %s)',
    async (compressed) => {
      const good = registerBrokerRequest(masterBroker(), { compressed });
      // Any other positive value is wrong; the mask keeps it a valid positive Java int.
      const wrongCrc = (registerBrokerBodyCrc32(good.body) + 1) & 0x7fffffff;
      const response = await registerBroker(client, address, masterBroker(), { compressed, crc32: wrongCrc });
      expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(response.remark).toContain('crc32 not match');
      expect(await fetchRoute(client, address, 'TopicTest')).toBeUndefined();
    },
  );

  it('tells a slave where its live master and HA port are, and lists it in the route', async () => {
    const master = masterBroker();
    await registerBroker(client, address, master);
    const response = await registerBroker(client, address, slaveOf(master));
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(RegisterBrokerResponseHeader.decode(response.extFields)).toEqual({
      masterAddr: '10.0.0.5:10911',
      haServerAddr: '10.0.0.5:10912',
    });
    const route = await fetchRoute(client, address, 'TopicTest');
    expect(route?.brokerDatas[0]?.brokerAddrs).toEqual(
      new Map([
        [0, '10.0.0.5:10911'],
        [1, '10.0.0.6:10911'],
      ]),
    );
  });

  it('gives a slave no master address while its master is not registered', async () => {
    const response = await registerBroker(client, address, slaveOf(masterBroker()));
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(RegisterBrokerResponseHeader.decode(response.extFields)).toEqual({
      masterAddr: undefined,
      haServerAddr: undefined,
    });
  });

  it('answers TOPIC_NOT_EXIST naming the topic when no broker serves it', async () => {
    await registerBroker(client, address, masterBroker());
    const response = await call(client, address, RequestCode.GET_ROUTEINFO_BY_TOPIC, {
      topic: 'NoSuchTopic',
    });
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toContain('No topic route info in name server for the topic: NoSuchTopic');
  });

  describe('route JSON spelling', () => {
    beforeEach(async () => {
      await registerBroker(client, address, masterBroker());
    });

    it('sends the legacy fastjson form (bare numeric keys) to clients older than 4.9.4', async () => {
      const response = await call(
        client,
        address,
        RequestCode.GET_ROUTEINFO_BY_TOPIC,
        { topic: 'TopicTest' },
        { version: PRE_STANDARD_JSON_VERSION },
      );
      expect(response.code).toBe(ResponseCode.SUCCESS);
      const text = response.body.toString('utf8');
      expect(text).toContain('{0:"10.0.0.5:10911"}');
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      // Keel's own decoder reads both spellings.
      expect(decodeTopicRouteData(response.body).brokerDatas[0]?.brokerAddrs.get(0)).toBe('10.0.0.5:10911');
    });

    it.each([
      ['a request version of 401', { topic: 'TopicTest' }, STANDARD_JSON_VERSION],
      [
        'acceptStandardJsonOnly=true',
        { topic: 'TopicTest', acceptStandardJsonOnly: 'true' },
        PRE_STANDARD_JSON_VERSION,
      ],
    ])('sends standard JSON for %s', async (_label, extFields, version) => {
      const response = await call(client, address, RequestCode.GET_ROUTEINFO_BY_TOPIC, extFields, {
        version,
      });
      expect(response.code).toBe(ResponseCode.SUCCESS);
      const parsed: unknown = JSON.parse(response.body.toString('utf8'));
      expect(parsed).toMatchObject({
        brokerDatas: [{ brokerAddrs: { '0': '10.0.0.5:10911' }, brokerName: 'broker-a' }],
        queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, writeQueueNums: 4 }],
      });
    });
  });

  describe('malformed and unknown requests', () => {
    it('answers SYSTEM_ERROR naming a missing header field', async () => {
      const response = await call(client, address, RequestCode.GET_ROUTEINFO_BY_TOPIC, {});
      expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(response.remark).toContain('GetRouteInfoRequestHeader.topic');
      expect(response.remark).toContain('missing');
    });

    it('answers SYSTEM_ERROR naming a missing field of REGISTER_BROKER and registers nothing', async () => {
      const request = registerBrokerRequest(masterBroker());
      const extFields = new Map(request.extFields);
      extFields.delete('brokerAddr');
      const response = await client.invoke(address, { ...request, extFields }, INVOKE_TIMEOUT_MS);
      expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(response.remark).toContain('brokerAddr');
      expect(await fetchRoute(client, address, 'TopicTest')).toBeUndefined();
    });

    it('answers REQUEST_CODE_NOT_SUPPORTED to a code it does not serve', async () => {
      // SEND_MESSAGE is a broker request; a name server does not serve it.
      const response = await call(client, address, RequestCode.SEND_MESSAGE, {});
      expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    });
  });
});

describe('name server: order topic configuration', () => {
  let client: RemotingClient;
  const servers: NameServer[] = [];

  beforeEach(() => {
    client = newClient();
  });

  afterEach(async () => {
    await client.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function start(orderMessageEnable: boolean): Promise<string> {
    const server = await startNameServer({ orderMessageEnable });
    servers.push(server);
    await call(client, server.address, RequestCode.PUT_KV_CONFIG, {
      namespace: 'ORDER_TOPIC_CONFIG',
      key: 'TopicTest',
      value: 'broker-a:4',
    });
    return server.address;
  }

  it('returns orderTopicConf with the route when orderMessageEnable=true', async () => {
    const address = await start(true);
    await registerBroker(client, address, masterBroker());
    expect((await fetchRoute(client, address, 'TopicTest'))?.orderTopicConf).toBe('broker-a:4');
  });

  it('leaves orderTopicConf out when orderMessageEnable=false', async () => {
    const address = await start(false);
    await registerBroker(client, address, masterBroker());
    const response = await call(client, address, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
    expect(response.body.toString('utf8')).not.toContain('orderTopicConf');
  });

  it('answers a registration with the ORDER_TOPIC_CONFIG namespace as a KVTable body', async () => {
    const address = await start(false);
    const response = await registerBroker(client, address, masterBroker());
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodeKVTable(response.body).table).toEqual(new Map([['TopicTest', 'broker-a:4']]));
  });
});
