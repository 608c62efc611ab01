import { decodeTopicRouteData } from '../../../src/protocol/bodies/topic-route-data';
import { GetRouteInfoRequestHeader } from '../../../src/protocol/headers/namesrv-headers';
import { PullMessageResponseHeader } from '../../../src/protocol/headers/pull-headers';
import { SendMessageResponseHeader } from '../../../src/protocol/headers/send-headers';
import { parseMessageProperties } from '../../../src/protocol/message/message-properties';
import { formatHostAddress } from '../../../src/protocol/message/host-address';
import { createRequest } from '../../../src/protocol/remoting/remoting-command';
import { RequestCode } from '../../../src/protocol/remoting/request-code';
import { ResponseCode } from '../../../src/protocol/remoting/response-code';
import { waitFor } from '../../../src/testing/await-event';
import { startCluster, type TestCluster } from './cluster-fixture';
import { messagesOf, pull, send } from './broker-requests';

describe('broker: send and pull through name-server routing', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster();
  });

  afterAll(async () => {
    await cluster.stop();
  });

  async function routeOf(topic: string) {
    const response = await cluster.client.invoke(
      cluster.nameServer.address,
      createRequest({
        code: RequestCode.GET_ROUTEINFO_BY_TOPIC,
        opaque: 0,
        extFields: GetRouteInfoRequestHeader.encode({ topic, acceptStandardJsonOnly: undefined }),
      }),
      3000,
    );
    return response.code === ResponseCode.SUCCESS ? decodeTopicRouteData(response.body) : undefined;
  }

  it('auto-creates a topic on first send, registers it, and serves it back on a pull', async () => {
    // A producer finds no route for a new topic and falls back to TBW102's route.
    const template = await routeOf('TBW102');
    const brokerAddr = template?.brokerDatas[0]?.brokerAddrs.get(0);
    expect(brokerAddr).toBe(cluster.broker.address);

    const sent = await send(cluster.client, brokerAddr!, {
      topic: 'OrderEvents',
      body: 'order 1 created',
      tags: 'created',
    });
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const sendHeader = SendMessageResponseHeader.decode(sent.extFields);
    expect(sendHeader).toMatchObject({ queueId: 0, queueOffset: 0, msgRegion: 'DefaultRegion' });

    // The broker re-registers after creating the topic, so the name server routes it.
    const route = await waitFor(() => routeOf('OrderEvents'), {
      timeoutMs: 5000,
      description: 'route of OrderEvents',
    });
    expect(route.queueDatas[0]).toMatchObject({
      brokerName: 'broker-a',
      readQueueNums: 4,
      writeQueueNums: 4,
    });

    const pulled = await pull(cluster.client, brokerAddr!, { group: 'cg', topic: 'OrderEvents', offset: 0 });
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    expect(pulled.remark).toBe('FOUND');
    expect(PullMessageResponseHeader.decode(pulled.extFields)).toMatchObject({
      nextBeginOffset: 1,
      minOffset: 0,
      maxOffset: 1,
    });
    const [message] = messagesOf(pulled);
    expect(message?.body?.toString()).toBe('order 1 created');
    expect(message?.topic).toBe('OrderEvents');
    const properties = parseMessageProperties(message!.properties);
    expect(properties.get('TAGS')).toBe('created');
    expect(properties.get('CLUSTER')).toBe('DefaultCluster');
    expect(formatHostAddress(message!.storeHost)).toBe(cluster.broker.address);
    expect(formatHostAddress(message!.bornHost)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('answers in the serialisation of the request (ROCKETMQ binary headers)', async () => {
    const sent = await send(cluster.client, cluster.broker.address, {
      topic: 'OrderEvents',
      body: 'binary header',
      serializeType: 'ROCKETMQ',
    });
    expect(sent.serializeType).toBe('ROCKETMQ');
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    expect(SendMessageResponseHeader.decode(sent.extFields).queueOffset).toBeGreaterThan(0);
  });

  it('filters by tag and reports the offset to continue from', async () => {
    for (const tags of ['a', 'b', 'a', 'c']) {
      expect(
        (await send(cluster.client, cluster.broker.address, { topic: 'Tagged', body: tags, tags })).code,
      ).toBe(0);
    }
    const pulled = await pull(cluster.client, cluster.broker.address, {
      group: 'cg',
      topic: 'Tagged',
      offset: 0,
      subscription: 'a || c',
    });
    expect(messagesOf(pulled).map((m) => m.body?.toString())).toEqual(['a', 'a', 'c']);
    expect(PullMessageResponseHeader.decode(pulled.extFields).nextBeginOffset).toBe(4);
  });

  it('holds a pull at the end of a queue and answers it as soon as a matching message arrives', async () => {
    const topic = 'LongPoll';
    expect((await send(cluster.client, cluster.broker.address, { topic, body: 'first' })).code).toBe(0);
    const started = performance.now();
    const held = pull(cluster.client, cluster.broker.address, {
      group: 'cg',
      topic,
      offset: 1,
      suspendMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await send(cluster.client, cluster.broker.address, { topic, body: 'second' })).code).toBe(0);
    const answer = await held;
    expect(answer.code).toBe(ResponseCode.SUCCESS);
    expect(messagesOf(answer).map((m) => m.body?.toString())).toEqual(['second']);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('answers a held pull whose filter never matches at its suspend timeout with PULL_NOT_FOUND', async () => {
    const topic = 'LongPollFiltered';
    expect((await send(cluster.client, cluster.broker.address, { topic, body: 'x', tags: 'a' })).code).toBe(
      0,
    );
    const started = performance.now();
    const held = pull(cluster.client, cluster.broker.address, {
      group: 'cg',
      topic,
      offset: 1,
      suspendMs: 600,
      subscription: 'b',
    });
    expect((await send(cluster.client, cluster.broker.address, { topic, body: 'y', tags: 'a' })).code).toBe(
      0,
    );
    const answer = await held;
    const elapsed = performance.now() - started;
    // Woken by the arrival check or the timeout: either way not FOUND, and not before 600 ms unless
    // the queue moved (then PULL_RETRY_IMMEDIATELY, the client's cue to pull past the filtered one).
    expect([ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_RETRY_IMMEDIATELY]).toContain(answer.code);
    expect(elapsed).toBeGreaterThanOrEqual(500);
  });

  it('refuses pulls on the VIP port, which serves sends', async () => {
    const vip = `127.0.0.1:${cluster.broker.vipPort}`;
    expect(cluster.broker.vipPort).toBe(cluster.config.listenPort - 2);
    expect((await send(cluster.client, vip, { topic: 'OrderEvents', body: 'via vip' })).code).toBe(0);
    const pulled = await pull(cluster.client, vip, { group: 'cg', topic: 'OrderEvents', offset: 0 });
    expect(pulled.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });

  it('answers a missing header field with SYSTEM_ERROR naming it, and an unknown code as unsupported', async () => {
    const missing = await cluster.client.invoke(
      cluster.broker.address,
      createRequest({
        code: RequestCode.PULL_MESSAGE,
        opaque: 0,
        extFields: { consumerGroup: 'cg', topic: 'T' },
      }),
      3000,
    );
    expect(missing.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(missing.remark).toMatch(/PullMessageRequestHeader\.queueId/);
    const unknown = await cluster.client.invoke(
      cluster.broker.address,
      createRequest({ code: 7777, opaque: 0 }),
      3000,
    );
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });
});

describe('broker: topic auto-creation disabled', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ autoCreateTopicEnable: false });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('answers TOPIC_NOT_EXIST with a remark that says how to create the topic', async () => {
    const sent = await send(cluster.client, cluster.broker.address, { topic: 'Unknown', body: 'x' });
    expect(sent.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(sent.remark).toMatch(/Unknown/);
    expect(sent.remark).toMatch(/autoCreateTopicEnable|create/);
  });
});

describe('broker: read-only (brokerPermission=4), as when draining it', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokerPermission: 4 });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('registers its topics read-only, so producers stop choosing it, and refuses sends', async () => {
    const route = cluster.nameServer.routes.route('TBW102');
    expect(route?.queueDatas[0]?.perm).toBe(4);
    const sent = await send(cluster.client, cluster.broker.address, { topic: 'TBW102', body: 'x' });
    expect(sent.code).toBe(ResponseCode.NO_PERMISSION);
    expect(sent.remark).toMatch(/sending message is forbidden/);
  });
});
