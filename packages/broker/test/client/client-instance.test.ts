import { ClientInstance } from '../../src/client/client-instance';
import { acquireClientInstance, releaseClientInstance } from '../../src/client/client-instance-registry';
import { buildClientId, defaultInstanceName } from '../../src/client/client-id';
import { NameServerSelector } from '../../src/client/name-server-selector';
import { resolveClientOptions } from '../../src/client/client-options';
import { FakeClock } from '../../src/common/fake-clock';
import { ConfigError, type ConfigProblem } from '../../src/common/errors';
import { resolveProducerOptions } from '../../src/client/producer/producer-options';
import { decodeHeartbeatData } from '../../src/protocol/bodies/heartbeat-data';
import { UnregisterClientRequestHeader } from '../../src/protocol/headers/client-headers';
import { createRequest } from '../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../src/protocol/remoting/response-code';
import { awaitEvent, waitFor } from '../../src/testing/await-event';
import { findFreeBrokerPort } from '../../src/testing/servers';
import { routeTo, startFakeClusterServer, type FakeClusterServer } from './fake-cluster-server';

describe('NameServerSelector', () => {
  it('tries the current name server first and sticks to the one that answered', () => {
    const selector = new NameServerSelector(['a:1', 'b:2', 'c:3'], 0);
    expect(selector.inTryOrder()).toEqual(['a:1', 'b:2', 'c:3']);
    selector.answered('c:3');
    expect(selector.inTryOrder()).toEqual(['c:3', 'a:1', 'b:2']);
  });
});

describe('ClientInstance', () => {
  let clock: FakeClock;
  let fake: FakeClusterServer;
  let instance: ClientInstance;

  beforeEach(async () => {
    clock = new FakeClock();
    fake = await startFakeClusterServer(clock);
    instance = new ClientInstance(
      resolveClientOptions({ nameServer: fake.address, clock, clientIP: '10.1.2.3', instanceName: 'test#1' }),
    );
  });

  afterEach(async () => {
    await instance.shutdown();
    await fake.close();
  });

  // The fake clock drives the schedules; the requests they send still travel over real sockets.
  async function advance(ms: number): Promise<void> {
    await clock.advanceAsync(ms);
  }

  it('is known to brokers as clientIP@instanceName', () => {
    expect(instance.clientId).toBe('10.1.2.3@test#1');
  });

  it('caches a route, refreshes topics in use every 30 s, and emits a change only when the route changes', async () => {
    fake.routes.set('T', routeTo(fake.address));
    const changes: string[] = [];
    instance.on('routeChanged', ({ topic, route }) => {
      changes.push(`${topic}:${route?.queueDatas[0]?.writeQueueNums ?? 'none'}`);
    });
    expect((await instance.topicRoute('T'))?.queueDatas[0]?.writeQueueNums).toBe(4);
    await instance.topicRoute('T');
    expect(fake.count(RequestCode.GET_ROUTEINFO_BY_TOPIC)).toBe(1);
    expect(changes).toEqual(['T:4']);
    expect(instance.brokerAddress('broker-a')).toBe(fake.address);

    await advance(29_999);
    expect(fake.count(RequestCode.GET_ROUTEINFO_BY_TOPIC)).toBe(1);
    await advance(1);
    await waitFor(() => fake.count(RequestCode.GET_ROUTEINFO_BY_TOPIC) === 2, { timeoutMs: 2000 });
    expect(changes).toEqual(['T:4']);

    fake.routes.set('T', routeTo(fake.address, 'broker-a', 8));
    const changed = awaitEvent(instance, 'routeChanged', { timeoutMs: 2000 });
    await advance(30_000);
    expect((await changed).route?.queueDatas[0]?.writeQueueNums).toBe(8);
    expect(changes).toEqual(['T:4', 'T:8']);
  });

  it('keeps asking about a topic no name server knows yet, and reports it when it appears', async () => {
    expect(await instance.topicRoute('Later')).toBeUndefined();
    fake.routes.set('Later', routeTo(fake.address));
    const appeared = awaitEvent(instance, 'routeChanged', { timeoutMs: 2000 });
    await advance(30_000);
    expect((await appeared).topic).toBe('Later');
  });

  it('fails over to the next name server when one cannot be reached', async () => {
    const deadPort = await findFreeBrokerPort();
    const failover = new ClientInstance(
      resolveClientOptions({
        nameServer: `127.0.0.1:${deadPort};${fake.address}`,
        clock,
        instanceName: 'failover',
      }),
    );
    try {
      fake.routes.set('T', routeTo(fake.address));
      for (let i = 0; i < 3; i++) expect(await failover.topicRoute('T', { refresh: true })).toBeDefined();
    } finally {
      await failover.shutdown();
    }
  });

  it('heartbeats every broker of the routes in use with its producers and consumers, every 30 s', async () => {
    instance.registerProducer('pg');
    instance.registerConsumer('cg', () => ({
      groupName: 'cg',
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      subscriptionDataSet: [],
      unitMode: false,
    }));
    fake.routes.set('T', routeTo(fake.address));
    await instance.topicRoute('T'); // a new route triggers a heartbeat at once
    await waitFor(() => fake.count(RequestCode.HEART_BEAT) === 1, { timeoutMs: 2000 });
    const heartbeat = decodeHeartbeatData(fake.requests.find((r) => r.code === RequestCode.HEART_BEAT)!.body);
    expect(heartbeat.clientID).toBe(instance.clientId);
    expect(heartbeat.producerDataSet).toEqual([{ groupName: 'pg' }]);
    expect(heartbeat.consumerDataSet.map((c) => c.groupName)).toEqual(['cg']);

    await advance(30_000);
    await waitFor(() => fake.count(RequestCode.HEART_BEAT) === 2, { timeoutMs: 2000 });
    await instance.sendHeartbeatToAllBrokers();
    expect(fake.count(RequestCode.HEART_BEAT)).toBe(3);
  });

  it('emits consumerIdsChanged for NOTIFY_CONSUMER_IDS_CHANGED and refuses unknown broker requests', async () => {
    fake.routes.set('T', routeTo(fake.address));
    await instance.topicRoute('T');
    const connection = fake.clientConnection();
    const notified = awaitEvent(instance, 'consumerIdsChanged', { timeoutMs: 2000 });
    connection.sendOneway(
      createRequest({
        code: RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        opaque: 0,
        extFields: { consumerGroup: 'cg' },
      }),
    );
    expect((await notified).group).toBe('cg');

    const unsupported = await connection.invoke(
      createRequest({ code: RequestCode.CHECK_TRANSACTION_STATE, opaque: 0 }),
      2000,
    );
    expect(unsupported.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);

    instance.handleBrokerRequest(RequestCode.CHECK_TRANSACTION_STATE, async (request) => ({
      ...createRequest({ code: ResponseCode.SUCCESS, opaque: request.opaque }),
      flag: 1,
      remark: 'handled',
    }));
    const handled = await connection.invoke(
      createRequest({ code: RequestCode.CHECK_TRANSACTION_STATE, opaque: 0 }),
      2000,
    );
    expect(handled.remark).toBe('handled');
  });

  it('unregisters its groups from every broker at shutdown', async () => {
    instance.registerProducer('pg');
    fake.routes.set('T', routeTo(fake.address));
    await instance.topicRoute('T');
    await instance.shutdown();
    const unregister = fake.requests.find((r) => r.code === RequestCode.UNREGISTER_CLIENT);
    expect(UnregisterClientRequestHeader.decode(unregister!.extFields)).toEqual({
      clientID: instance.clientId,
      producerGroup: 'pg',
      consumerGroup: undefined,
    });
  });

  it('is shared by clients with the same id and shut down when the last one releases it', async () => {
    const options = resolveClientOptions({
      nameServer: fake.address,
      clock,
      clientIP: '10.1.2.3',
      instanceName: 'shared',
    });
    const first = acquireClientInstance(options);
    const second = acquireClientInstance(options);
    expect(second).toBe(first);
    await releaseClientInstance(first);
    expect(first.isClosed).toBe(false);
    await releaseClientInstance(second);
    expect(first.isClosed).toBe(true);
    const third = acquireClientInstance(options);
    expect(third).not.toBe(first);
    await releaseClientInstance(third);
  });

  it('refuses options without a name server or with a bad duration, naming each', () => {
    const problems: ConfigProblem[] = [];
    resolveClientOptions({ nameServer: ' ; ', requestTimeoutMs: 0 }, problems);
    expect(problems).toEqual([
      expect.objectContaining({ key: 'nameServer', kind: 'missing' }),
      expect.objectContaining({ key: 'requestTimeoutMs', kind: 'out-of-range' }),
    ]);
    expect(() => resolveProducerOptions({ group: 'pg', nameServer: 'nohost' })).toThrow(ConfigError);
    expect(() => resolveProducerOptions({ group: 'p g', nameServer: '127.0.0.1:9876' })).toThrow(/group/);
  });
});

describe('client ids', () => {
  it('defaults the instance name to pid#<monotonic>, distinct on every call', () => {
    const names = Array.from({ length: 100 }, () => defaultInstanceName());
    expect(new Set(names).size).toBe(100);
    expect(names[0]).toMatch(new RegExp(`^${process.pid}#\\d+$`));
    expect(buildClientId('10.0.0.1', 'x')).toBe('10.0.0.1@x');
  });
});
